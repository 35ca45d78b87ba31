import { isHopByHop } from './hop-by-hop';

/**
 * A message's headers for the other side, from its raw header lines: each name spelled as the
 * peer spelled it, and every repeated line kept. Node's `headers` object lower-cases the names
 * and keeps only the first of a repeated Authorization, Content-Type, Retry-After (…), so
 * relaying it dropped a second Authorization header the service would have seen.
 * Hop-by-hop headers and those the Connection header names are left out, as before; a request
 * keeps Transfer-Encoding (Node frames the body by it) and loses the proxy's own `Proxy-*`.
 */
export function headersAsSent(
  rawHeaders: readonly string[],
  message: 'request' | 'response',
): Record<string, string | string[]> {
  const request = message === 'request';
  const dropped = namedByConnection(rawHeaders);
  const spelling = new Map<string, string>();
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    const framing = request && lower === 'transfer-encoding';
    if (!framing && (isHopByHop(lower) || dropped.has(lower))) continue;
    if (request && lower.startsWith('proxy-')) continue;
    const key = spelling.get(lower);
    if (key === undefined) {
      spelling.set(lower, name);
      headers[name] = rawHeaders[i + 1]!;
      continue;
    }
    const value = headers[key]!;
    headers[key] = Array.isArray(value) ? [...value, rawHeaders[i + 1]!] : [value, rawHeaders[i + 1]!];
  }
  return headers;
}

/** The header names every Connection line lists (lower case). */
function namedByConnection(rawHeaders: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'connection') continue;
    for (const h of rawHeaders[i + 1]!.split(',')) named.add(h.trim().toLowerCase());
  }
  return named;
}

/** Request headers as the capture records them: lower-case names, repeated lines as arrays. */
export type RecordedHeaders = NodeJS.Dict<string | string[]>;

/**
 * `req.headers` for the record, except that a header Node kept only the first line of (a second
 * Authorization, Content-Type, …) lists every line the client sent: the log showed one
 * Authorization header for a request that carried two. Repeats Node joins stay joined.
 */
export function headersWithRepeats(headers: RecordedHeaders, rawHeaders: readonly string[]): RecordedHeaders {
  // The usual request repeats nothing: one line per name, nothing to restore.
  if (rawHeaders.length / 2 === Object.keys(headers).length) return headers;
  const lines = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i]!.toLowerCase();
    const values = lines.get(lower);
    if (values) values.push(rawHeaders[i + 1]!);
    else lines.set(lower, [rawHeaders[i + 1]!]);
  }
  let restored: RecordedHeaders | undefined;
  for (const [name, values] of lines) {
    if (values.length < 2 || headers[name] !== values[0]) continue;
    restored ??= { ...headers };
    restored[name] = values;
  }
  return restored ?? headers;
}
