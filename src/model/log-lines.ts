/**
 * The lines of a log, read from its bytes. node:readline keeps a line in one string however long
 * it is, and a line beyond V8's longest string (about 512 MB: a binary file, a dump given by
 * mistake) throws inside its stream handler, which no caller can catch: the process died with a
 * stack trace. Here a line longer than `maxBytes` is skipped to its end and reported as such.
 */

/** Longer than any line the proxy writes with its default capture, far below V8's string limit. */
export const MAX_LOG_LINE_BYTES = 256 * 1024 * 1024;

/** A line too long to read: its size in bytes, nothing of its text. */
export interface LongLine {
  tooLong: number;
}

const NEWLINE = 0x0a;

function text(parts: Buffer[]): string {
  const line = Buffer.concat(parts).toString('utf8');
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

export async function* logLines(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxBytes = MAX_LOG_LINE_BYTES,
): AsyncGenerator<string | LongLine> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
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
