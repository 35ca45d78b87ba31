import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a log, read from its bytes. node:readline keeps a line in one string however long
 * it is, and a line beyond V8's longest string (about 512 MB: a binary file, a dump given by
 * mistake) throws inside its stream handler, which no caller can catch: the process died with a
 * stack trace. Here a line longer than `maxBytes` is skipped to its end and reported as such.
 *
 * A log saved on Windows may start with a byte-order mark: UTF-8's (Notepad), or UTF-16's
 * (PowerShell 5's `>` writes UTF-16LE, so `kubectl logs … > proxy.log` there gives one). The mark
 * is dropped and UTF-16 is read as text, instead of every line being "not JSON".
 */

/** Longer than any line the proxy writes with its default capture, far below V8's string limit. */
export const MAX_LOG_LINE_BYTES = 256 * 1024 * 1024;

/** A line too long to read: its size in bytes, nothing of its text. */
export interface LongLine {
  tooLong: number;
}

/** How a reader that lists unparsed lines quotes one too long to read. */
export function tooLongText(line: LongLine): string {
  return `(a line of ${line.tooLong} bytes: too long to read)`;
}

const NEWLINE = 0x0a;

function text(parts: Buffer[]): string {
  const line = Buffer.concat(parts).toString('utf8');
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

type LogInput = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

/** The input's bytes as UTF-8, without a byte-order mark (see the file comment). */
async function* utf8Of(input: LogInput): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  let utf16: { decoder: StringDecoder; bigEndian: boolean; odd?: Buffer } | undefined;
  const decode = (bytes: Buffer): Buffer => {
    if (!utf16) return bytes;
    let data = utf16.odd ? Buffer.concat([utf16.odd, bytes]) : bytes;
    if (utf16.bigEndian) {
      utf16.odd = data.length % 2 ? data.subarray(data.length - 1) : undefined;
      data = Buffer.from(data.subarray(0, data.length - (data.length % 2))).swap16();
    }
    return Buffer.from(utf16.decoder.write(data), 'utf8');
  };
  const start = (bytes: Buffer): Buffer => {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3);
    const le = bytes[0] === 0xff && bytes[1] === 0xfe;
    if (!le && !(bytes[0] === 0xfe && bytes[1] === 0xff)) return bytes;
    utf16 = { decoder: new StringDecoder('utf16le'), bigEndian: !le };
    return decode(bytes.subarray(2));
  };
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    if (head === undefined) {
      yield decode(chunk);
      continue;
    }
    // A mark is three bytes at most: wait for them (stdin may give one byte at a time).
    head = Buffer.concat([head, chunk]);
    if (head.length < 3) continue;
    const first = start(head);
    head = undefined;
    yield first;
  }
  if (head !== undefined) yield start(head);
  else if (utf16) yield Buffer.from(utf16.decoder.end(), 'utf8');
}

export async function* logLines(
  input: LogInput,
  maxBytes = MAX_LOG_LINE_BYTES,
): AsyncGenerator<string | LongLine> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of utf8Of(input)) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      size += end - start;
      if (size > maxBytes) yield { tooLong: size };
      else {
        parts.push(chunk.subarray(start, end));
        yield text(parts);
      }
      parts = [];
      size = 0;
      start = end + 1;
    }
    size += chunk.length - start;
    // Past the limit only the count goes on: nothing of the line is kept.
    if (size > maxBytes) parts = [];
    else if (start < chunk.length) parts.push(chunk.subarray(start));
  }
  if (size > maxBytes) yield { tooLong: size };
  else if (size > 0) yield text(parts);
}
