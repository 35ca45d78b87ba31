import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/**
 * A document written piece by piece to a stream (a HAR from a log, a repaired HAR), where a
 * failed write (a full disk) must fail the command, never report success over a truncated file.
 * The stream's error is watched from the start, so it is neither lost nor thrown unheard.
 */
export class TextOutput {
  private readonly done: Promise<void>;

  constructor(private readonly out: Writable) {
    this.done = finished(out);
    this.done.catch(() => undefined); // awaited by end(); until then, not an unhandled rejection
  }

  async write(text: string): Promise<void> {
    if (this.out.errored) throw this.out.errored;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  /** The last piece, then waits until every byte is written: rejects with the stream's error. */
  async end(text: string): Promise<void> {
    if (this.out.errored) throw this.out.errored;
    this.out.end(text);
    await this.done;
  }
}
