import { fstatSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { UsageError } from './usage-error';

/** The log a command reads (`report`, `har`, `inspect`): a file, a pipe or /dev/stdin, not a directory. */
export function logInput(file: string): string {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    throw new UsageError(`${file}: no such file`);
  }
  if (isDirectory) throw new UsageError(`${file} is a directory: give the log file itself`);
  return file;
}

/** stdin as the log (`pretty`, `explain`): a directory there (`pretty < somedir`) would read as empty. */
export function stdinLog(): NodeJS.ReadStream {
  let isDirectory = false;
  try {
    isDirectory = fstatSync(0).isDirectory();
  } catch {
    /* no stdin at all: reads as empty, which the command reports */
  }
  if (isDirectory) throw new UsageError('stdin is a directory: give the log file itself');
  return process.stdin;
}

/** True when both paths name one file (the same inode), e.g. `har X --out X`. */
export function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist yet
  }
}

/**
 * The first bytes of a stream, and the whole stream again to read from: a pipe cannot seek back,
 * so the first chunk is read once and handed on in front of the rest.
 */
export async function peekStart(input: Readable, bytes = 64): Promise<{ start: string; input: Readable }> {
  const chunks = input[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return { start: '', input: Readable.from([], { objectMode: false }) };
  const head = first.value as Buffer;
  async function* again(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value as Buffer;
  }
  return {
    start: head.subarray(0, bytes).toString('utf8'),
    input: Readable.from(again(), { objectMode: false }),
  };
}
