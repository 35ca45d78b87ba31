import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** How the telemetry body was laid out: SDKs send all three. */
export type BodyFormat = 'json-array' | 'ndjson' | 'object';

/** One line or element that is not a JSON object: the item is rejected, the rest still count. */
export interface UnparsableItem {
  unparsable: string;
}

export type TelemetryItem = Record<string, unknown> | UnparsableItem;

export type ParsedTelemetry =
  { ok: true; format: BodyFormat; items: TelemetryItem[] } | { ok: false; message: string };

export function isUnparsable(item: TelemetryItem): item is UnparsableItem {
  return typeof (item as UnparsableItem).unparsable === 'string' && Object.keys(item).length === 1;
}

/** Undoes Content-Encoding (gzip, deflate, br or identity); a bad stream is a client error. */
export function decodeContent(
  body: Buffer,
  contentEncoding: string | undefined,
): { ok: true; bytes: Buffer } | { ok: false; message: string } {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  try {
    if (encoding === '' || encoding === 'identity') return { ok: true, bytes: body };
    if (encoding === 'gzip' || encoding === 'x-gzip') return { ok: true, bytes: gunzipSync(body) };
    if (encoding === 'deflate') return { ok: true, bytes: inflateSync(body) };
    if (encoding === 'br') return { ok: true, bytes: brotliDecompressSync(body) };
  } catch (err) {
    return {
      ok: false,
      message: `Content-Encoding '${encoding}' could not be decoded: ${(err as Error).message}`,
    };
  }
  return { ok: false, message: `Content-Encoding '${encoding}' is not supported` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asItem(value: unknown, source: string): TelemetryItem {
  return isObject(value) ? value : { unparsable: source.slice(0, 200) };
}

function tryJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * Splits a telemetry body into items: a JSON array, one JSON object, or NDJSON (whatever the
 * Content-Type says, since the .NET exporter sends NDJSON as application/json). Lines that are not
 * JSON objects become unparsable items; a body with no JSON object at all is rejected whole.
 */
export function parseTelemetry(bytes: Buffer): ParsedTelemetry {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, message: 'Request body is empty' };
  const whole = tryJson(text);
  if (whole && Array.isArray(whole.value)) {
    return {
      ok: true,
      format: 'json-array',
      items: whole.value.map((v) => asItem(v, JSON.stringify(v) ?? '')),
    };
  }
  if (whole && isObject(whole.value)) return { ok: true, format: 'object', items: [whole.value] };
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const items = lines.map((line) => asItem(tryJson(line)?.value, line));
  if (lines.length > 1 && items.some((item) => !isUnparsable(item)))
    return { ok: true, format: 'ndjson', items };
  return {
    ok: false,
    message: 'Invalid JSON: the body is not a JSON array, a JSON object or newline-delimited JSON',
  };
}
