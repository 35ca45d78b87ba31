import net from 'node:net';
import type { HostPort } from './connect-target';
import type { ResolveMap } from './resolve-map';
import { connectThroughProxy } from './upstream-proxy';

export interface TunnelStats {
  target: HostPort;
  bytesUp: number;
  bytesDown: number;
  start: number;
  end?: number;
  error?: string;
}

/** Opens the upstream end of a blind tunnel: TCP to the (resolved) target, or via the upstream proxy. */
export function openTunnelUpstream(
  target: HostPort,
  resolve: ResolveMap,
  upstreamProxy: URL | undefined,
  timeoutMs: number,
  /** A lookup that refuses private addresses, for clients that are not local. */
  lookup?: net.LookupFunction,
): Promise<net.Socket> {
  if (upstreamProxy) return connectThroughProxy(upstreamProxy, target, timeoutMs);
  const to = resolve.lookup(target.host, target.port);
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({ host: to.host, port: to.port, lookup });
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', reject);
      resolvePromise(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Joins two sockets byte for byte (pipe() gives backpressure both ways) and reports totals when
 * both sides are done. Nothing is decrypted, parsed or changed.
 */
export function spliceSockets(
  client: net.Socket,
  upstream: net.Socket,
  stats: TunnelStats,
  idleTimeoutMs: number,
  onDone: (stats: TunnelStats) => void,
): void {
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.on('data', (c: Buffer) => (stats.bytesUp += c.length));
  upstream.on('data', (c: Buffer) => (stats.bytesDown += c.length));
  client.pipe(upstream);
  upstream.pipe(client);
  let finished = false;
  const done = (err?: Error) => {
    if (err && !stats.error) stats.error = err.message;
    if (finished) return;
    finished = true;
    client.destroy();
    upstream.destroy();
    stats.end = Date.now();
    onDone(stats);
  };
  client.setTimeout(idleTimeoutMs, () => done(new Error('idle timeout')));
  client.once('error', done);
  upstream.once('error', done);
  client.once('close', () => done());
  upstream.once('close', () => done());
}
