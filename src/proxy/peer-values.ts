import http, { type IncomingHttpHeaders } from 'node:http';

/**
 * Values a peer sent that we copy into what we write to the other side. Node's HTTP client
 * accepts some bytes (ESC, NUL, DEL ... in a reason phrase) that its own writeHead() refuses
 * with a throw; copied unchecked, one hostile upstream would take the proxy down. Each helper
 * here says what it changed, so the caller can log it.
 */

/** Bytes Node refuses in a reason phrase or header value (HTAB, SP..~ and obs-text are allowed). */
const NOT_FIELD_TEXT = /[^\t\x20-\x7e\x80-\xff]/;

/** True when Node would write `value` as a header value or reason phrase without throwing. */
export function isWritableFieldText(value: string): boolean {
  return !NOT_FIELD_TEXT.test(value);
}

/**
 * The reason phrase to send the client: the upstream's own when it is writable (the service's
 * wording matters to SDKs), else the standard phrase for the status.
 */
export function safeReasonPhrase(
  status: number,
  reason: string | undefined,
): { reason: string; replaced: boolean } {
  if (reason !== undefined && isWritableFieldText(reason)) return { reason, replaced: false };
  return { reason: http.STATUS_CODES[status] ?? 'Unknown', replaced: true };
}

function writable(name: string, value: unknown): boolean {
  try {
    http.validateHeaderName(name);
    for (const v of Array.isArray(value) ? value : [value]) http.validateHeaderValue(name, String(v));
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes, in place, every header Node could not write (a name that is not a token, a value with
 * a control byte). The header is dropped whole: half a value would be a value the peer never sent.
 * Returns the dropped names, made printable for the log.
 */
export function dropUnwritableHeaders(headers: IncomingHttpHeaders | Record<string, unknown>): string[] {
  const dropped: string[] = [];
  for (const name of Object.keys(headers)) {
    if (writable(name, headers[name])) continue;
    delete headers[name];
    dropped.push(printable(name));
  }
  return dropped;
}

/** A peer's text for a log line or a message: control bytes shown as \xNN, at most `max` chars. */
export function printable(text: string, max = 200): string {
  const shown = text.replace(
    // eslint-disable-next-line no-control-regex
    /[\x00-\x1f\x7f-\x9f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}
