import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionRow } from './session-row';

/**
 * The live feed of the page: server-sent events. New rows are batched (one message per
 * `intervalMs` at most, so a busy proxy sends a few messages a second, not one per exchange);
 * a browser that does not keep up (its socket buffer beyond `maxPendingBytes`) is dropped, and
 * its EventSource reconnects and starts again from a snapshot. Nothing is queued per client.
 */

export interface FeedOptions {
  intervalMs: number;
  maxPendingBytes: number;
  heartbeatMs: number;
  /** Rows kept for the next batch; older ones are superseded (the history drops them too). */
  maxBatchRows: number;
  /**
   * Feeds open at once at most (default MAX_FEED_CLIENTS): each may hold up to
   * `maxPendingBytes` in its socket, so their number bounds the page's memory.
   */
  maxClients?: number;
}

/** Tabs open on the page at once, at most: far more than a person uses, a bound for a loop. */
export const MAX_FEED_CLIENTS = 32;

export const DEFAULT_FEED_OPTIONS: FeedOptions = {
  intervalMs: 250,
  maxPendingBytes: 1 << 20,
  heartbeatMs: 15_000,
  maxBatchRows: 1000,
};

/** What a new client gets first, and what every batch carries besides the rows. */
export interface FeedState {
  snapshot(): unknown;
  /** Sent with each batch (the verdict, counts); undefined when unchanged. */
  extras(): Record<string, unknown> | undefined;
}

export class SessionFeed {
  /** Each client, and how many bytes may wait in its socket (a snapshot raises it for a while). */
  private readonly clients = new Map<ServerResponse, number>();
  private pending: SessionRow[] = [];
  private timer?: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  /** Clients dropped for not keeping up (since start). */
  dropped = 0;
  /** Messages written (batches, snapshots), for tests and counters. */
  messages = 0;

  constructor(
    private readonly state: FeedState,
    private readonly options: FeedOptions = DEFAULT_FEED_OPTIONS,
  ) {
    this.heartbeat = setInterval(() => this.broadcast(': keep-alive\n\n'), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  attach(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= (this.options.maxClients ?? MAX_FEED_CLIENTS)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      res.end(`too many pages open on this proxy's feed (${this.clients.size}); close one and reload\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Proxies in between (and our own idle handling) must not hold the stream back.
      'x-accel-buffering': 'no',
    });
    req.socket.setNoDelay(true);
    res.on('close', () => this.clients.delete(res));
    this.sendSnapshot(res, 'retry: 1000\n');
  }

  /** A new row: goes out with the next batch. */
  push(row: SessionRow): void {
    if (this.clients.size === 0) return; // nobody listening: the snapshot covers it on connect
    this.pending.push(row);
    if (this.pending.length > this.options.maxBatchRows)
      this.pending = this.pending.slice(-this.options.maxBatchRows);
    this.timer ??= setTimeout(() => this.flush(), this.options.intervalMs);
  }

  /** Everything changed (clear): every client starts again from a snapshot. */
  reset(): void {
    this.pending = [];
    for (const res of this.clients.keys()) this.sendSnapshot(res);
  }

  private flush(): void {
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    if (rows.length === 0 || this.clients.size === 0) return;
    this.broadcast(message('rows', { rows, ...this.state.extras() }));
  }

  private broadcast(text: string): void {
    for (const res of this.clients.keys()) this.send(res, text);
  }

  /** A snapshot may be large: the client gets that much more room until it has read it. */
  private sendSnapshot(res: ServerResponse, prefix = ''): void {
    const text = prefix + message('snapshot', this.state.snapshot());
    if (this.send(res, text)) this.clients.set(res, res.writableLength + this.options.maxPendingBytes);
  }

  private send(res: ServerResponse, text: string): boolean {
    if (res.destroyed) return false;
    const limit = this.options.maxPendingBytes;
    // The socket's own buffer is the only queue: beyond the limit the browser is not reading.
    let allowed = this.clients.get(res) ?? limit;
    if (res.writableLength <= limit) allowed = limit; // caught up: extra room for a snapshot ends
    if (res.writableLength > allowed) {
      this.dropped += 1;
      this.clients.delete(res);
      res.destroy();
      return false;
    }
    this.clients.set(res, allowed);
    this.messages += 1;
    res.write(text);
    return true;
  }

  close(): void {
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    for (const res of this.clients.keys()) res.end();
    this.clients.clear();
  }
}

function message(event: string, data: unknown): string {
  // JSON has no raw newlines, so one data line carries it.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
