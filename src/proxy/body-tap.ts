/**
 * Watches a body stream go by: counts every byte and keeps a copy of the first `cap` bytes.
 * It only listens; the relay's own pipe forwards the bytes untouched.
 */
export class BodyTap {
  size = 0;
  private readonly chunks: Buffer[] = [];
  /** Bytes copied so far (at most the cap). */
  kept = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.kept >= this.cap) return;
    const room = this.cap - this.kept;
    // Copy: the relay may reuse or release the chunk's memory once written.
    const copy = Buffer.from(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.chunks.push(copy);
    this.kept += copy.length;
  }

  get truncated(): boolean {
    return this.size > this.kept;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
  }
}
