import type { Duplex } from 'node:stream';

interface Waiting {
  readonly socket: Duplex;
  readonly timer: NodeJS.Timeout;
}

/**
 * Upstream connections opened ahead of their request, one per pool name at most. A client's TLS
 * handshake with us and our handshake with the upstream then run at the same time, instead of
 * one after the other, for the first request to a host whose pool has no idle connection.
 *
 * While a socket waits here its errors are swallowed: the request that would have used it opens
 * its own connection and reports its own failure. One not claimed within `ttlMs` is closed (the
 * client's handshake failed, or its request went to a connection that became idle meanwhile).
 */
export class WarmConnections {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  /** Whether a connection for `name` may be opened now (none waiting for it, room left). */
  wants(name: string): boolean {
    return this.ttlMs > 0 && !this.waiting.has(name) && this.waiting.size < this.max;
  }

  /** Keeps `socket` for the next request to `name` (call only after `wants(name)`). */
  hold(name: string, socket: Duplex): void {
    // Stays attached after the socket is claimed: an error between the claim and the request's
    // own listener must not become an uncaught exception (the request sees the close instead).
    socket.on('error', () => {
      this.drop(name, socket);
      socket.destroy();
    });
    socket.once('close', () => this.drop(name, socket));
    const timer = setTimeout(() => {
      this.drop(name, socket);
      socket.destroy();
    }, this.ttlMs);
    timer.unref();
    this.waiting.set(name, { socket, timer });
  }

  /** The connection waiting for `name`, handed over once; undefined when none is usable. */
  take(name: string): Duplex | undefined {
    const entry = this.waiting.get(name);
    if (!entry) return undefined;
    this.waiting.delete(name);
    clearTimeout(entry.timer);
    return entry.socket.destroyed ? undefined : entry.socket;
  }

  get size(): number {
    return this.waiting.size;
  }

  closeAll(): void {
    for (const [name, entry] of this.waiting) {
      clearTimeout(entry.timer);
      this.waiting.delete(name);
      entry.socket.destroy();
    }
  }

  private drop(name: string, socket: Duplex): void {
    const entry = this.waiting.get(name);
    if (entry?.socket !== socket) return;
    clearTimeout(entry.timer);
    this.waiting.delete(name);
  }
}
