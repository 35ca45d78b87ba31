import zlib from 'node:zlib';
import { compressionFormatOf } from '../ingestion/compressed-bytes';
import { redactText } from '../ingestion/redact';
import type { BodyCapture, HeaderMap } from '../model/exchange';

function header(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return v === undefined || typeof v === 'string' ? v : v.join(', ');
}

/**
 * Decompresses what was kept of a body, never beyond `cap` bytes of output (a gzip bomb stops at
 * the cap), and tolerates a truncated or corrupt stream: whatever decoded before the fault is kept.
 */
export function inflateCapped(
  data: Buffer,
  encoding: string,
  cap: number,
  complete: boolean,
): Promise<{ data: Buffer; truncated: boolean; error?: string }> {
  // Fast path: a whole, well-formed body that fits the cap is inflated in one synchronous call.
  // The streaming path below costs a zlib stream (tens of KB of native memory) per body while it
  // waits on the thread pool; under a burst, thousands of those in flight made RSS balloon.
  const fast = complete ? inflateWhole(data, encoding, cap) : undefined;
  if (fast) return Promise.resolve({ data: fast, truncated: false });
  return inflateStreaming(data, encoding, cap, complete);
}

function inflateWhole(data: Buffer, encoding: string, cap: number): Buffer | undefined {
  const enc = encoding.trim().toLowerCase();
  const options = { maxOutputLength: Math.max(1, cap) };
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return zlib.gunzipSync(data, options);
    if (enc === 'deflate') return zlib.inflateSync(data, options);
    if (enc === 'br') return zlib.brotliDecompressSync(data, options);
  } catch {
    // Over the cap, corrupt or truncated: the streaming path keeps what decodes and says why.
  }
  return undefined;
}

function inflateStreaming(
  data: Buffer,
  encoding: string,
  cap: number,
  complete: boolean,
): Promise<{ data: Buffer; truncated: boolean; error?: string }> {
  return new Promise((resolve) => {
    const enc = encoding.trim().toLowerCase();
    const inflater =
      enc === 'gzip' || enc === 'x-gzip'
        ? zlib.createGunzip()
        : enc === 'deflate'
          ? zlib.createInflate()
          : enc === 'br'
            ? zlib.createBrotliDecompress()
            : undefined;
    if (!inflater) {
      // Nothing decoded: the bytes are still encoded, and shown as text or base64 they would
      // carry whatever the encoding hides (a full iKey, a token) past the redaction.
      resolve({
        data: Buffer.alloc(0),
        truncated: false,
        error: `unsupported content-encoding "${encoding}"`,
      });
      return;
    }
    const out: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean, error?: string) => {
      if (done) return;
      done = true;
      inflater.removeAllListeners('data');
      inflater.destroy();
      resolve({ data: Buffer.concat(out, Math.min(size, cap)), truncated, error });
    };
    inflater.on('data', (chunk: Buffer) => {
      const room = cap - size;
      out.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += chunk.length;
      if (size >= cap) finish(true);
    });
    inflater.on('end', () => finish(false));
    inflater.on('error', (err: Error) => {
      // A capture cut at the cap ends mid-stream: that is expected, not a broken body.
      if (!complete && /unexpected end/i.test(err.message)) finish(true);
      else finish(false, `${enc} decoding failed: ${err.message}`);
    });
    inflater.end(data);
  });
}

function looksLikeText(data: Buffer, contentType?: string): boolean {
  if (contentType && /json|text|xml|x-www-form-urlencoded|x-json-stream|javascript/i.test(contentType))
    return true;
  const sample = data.subarray(0, 512);
  for (const byte of sample) if (byte === 0 || (byte < 9 && byte !== 0)) return false;
  return true;
}

/**
 * The codings a Content-Encoding value lists, without `identity` (which changes nothing):
 * `gzip, identity` is a gzip body, and was logged as undecodable binary text.
 */
function contentCodings(contentEncoding: string | undefined): string[] {
  if (!contentEncoding) return [];
  return contentEncoding
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c.toLowerCase() !== 'identity');
}

/** Builds the BodyCapture of an Exchange from the tap's bytes: decoded, capped, redacted. */
export async function describeBody(
  headers: HeaderMap,
  wireSize: number,
  kept: Buffer,
  cap: number,
): Promise<BodyCapture> {
  const contentType = header(headers, 'content-type');
  const contentEncoding = header(headers, 'content-encoding');
  const body: BodyCapture = { size: wireSize, captured: kept.length, truncated: wireSize > kept.length };
  if (contentType) body.contentType = contentType;
  if (contentEncoding) body.contentEncoding = contentEncoding;
  if (kept.length === 0) return body;
  let decoded = kept;
  const codings = contentCodings(contentEncoding);
  if (codings.length > 0) {
    let result: { data: Buffer; truncated: boolean; error?: string } = { data: kept, truncated: false };
    // Applied in the order listed, so undone from the last (RFC 9110 §8.4).
    for (const coding of codings.reverse()) {
      const complete = !body.truncated && !result.truncated;
      const step = await inflateCapped(result.data, coding, cap, complete);
      result = { ...step, truncated: result.truncated || step.truncated };
      if (step.error) break;
    }
    decoded = result.data;
    body.decodedSize = decoded.length;
    body.decodedTruncated = result.truncated || body.truncated;
    if (result.error) body.decodeError = result.error;
    if (result.error && decoded.length === 0) return body;
  }
  if (looksLikeText(decoded, contentType)) {
    body.text = redactText(decoded.toString('utf8'));
    return body;
  }
  const compressed = compressionFormatOf(decoded);
  if (compressed)
    body.decodeError = `${compressed}-compressed bytes that no Content-Encoding names: not kept`;
  else body.base64 = decoded.toString('base64');
  return body;
}
