import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import net from 'node:net';
import { openTunnelUpstream, spliceSockets, type TunnelStats } from './blind-tunnel';
import { formatHostPort, type HostPort, isValidHost } from './connect-target';
import { classifyUpstreamError } from './error-kind';
import { guardedLookup, isLocalClient, refusedDestination, type DestinationPolicy } from './exposure';
import { printable } from './peer-values';
import { PROXY_AUTH_REQUIRED } from './proxy-auth';
import type { ResolveMap } from './resolve-map';

type Notice = { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown };

export interface UpgradeContext {
  authorized(headers: IncomingHttpHeaders): boolean;
  isSelf(target: HostPort): boolean;
  inScope(host: string): boolean;
  destinations: DestinationPolicy;
  resolve: ResolveMap;
  upstreamProxy?: URL;
  upstreamTimeoutMs: number;
  idleTimeoutMs: number;
  notice(n: Notice): void;
  tunnel(stats: TunnelStats & { client: string }): void;
}

/** Headers that belong to this hop and never go upstream (the proxy's credentials above all). */
const PROXY_ONLY = new Set(['proxy-authorization', 'proxy-connection']);

/** A short raw answer on an upgrade socket (no HTTP response object exists for upgrades). */
export function answerRaw(socket: net.Socket, status: string, text: string, extra = ''): void {
  const body = `appinsights-auth-proxy: ${text}\n`;
  socket.end(
    `HTTP/1.1 ${status}\r\n${extra}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The target of an absolute-form upgrade request (http:// or ws://), or undefined. */
function absoluteTarget(url: string): { target: HostPort; path: string; tls: boolean } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const tls = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  if (!tls && parsed.protocol !== 'http:' && parsed.protocol !== 'ws:') return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!isValidHost(host)) return undefined;
  return {
    target: { host, port: Number(parsed.port || (tls ? 443 : 80)) },
    path: `${parsed.pathname}${parsed.search}`,
    tls,
  };
}

/**
 * The `upgrade` path of the listener (WebSocket and other protocol upgrades sent in plain HTTP),
 * owned here rather than by http-mitm-proxy, whose handler skipped every check and routed by the
 * Host header. Same rules as CONNECT: credentials, no loop to ourselves, the exposure rules; then
 * out-of-scope hosts get a byte-for-byte tunnel (request head re-sent in origin form, without the
 * proxy's own headers) and in-scope hosts a clear 501 (no intercepted service speaks WebSocket).
 */
export async function handleUpgrade(
  ctx: UpgradeContext,
  req: IncomingMessage,
  socket: net.Socket,
  head: Buffer,
): Promise<void> {
  socket.on('error', () => socket.destroy());
  const client = socket.remoteAddress ?? '';
  const url = String(req.url ?? '');
  const upgrade = printable(String(req.headers.upgrade ?? ''), 40);
  const refuse = (status: string, text: string, why: string, extra = '') => {
    answerRaw(socket, status, text, extra);
    ctx.notice({ level: 'warn', msg: `refused ${upgrade} upgrade: ${why}`, client, target: printable(url) });
  };
  if (!ctx.authorized(req.headers)) {
    socket.end(PROXY_AUTH_REQUIRED);
    ctx.notice({
      level: 'warn',
      msg: `${upgrade} upgrade without valid proxy credentials (407)`,
      client,
      target: printable(url),
    });
    return;
  }
  const parsed = url.startsWith('/') ? undefined : absoluteTarget(url);
  if (url.startsWith('/')) {
    // Origin form: addressed to the proxy itself, which serves no WebSocket (never routed by Host).
    refuse('404 Not Found', 'the proxy itself serves no upgrades', 'addressed to the proxy itself');
    return;
  }
  if (!parsed) {
    refuse('400 Bad Request', 'the upgrade target must be an absolute http:// or ws:// URL', 'bad target');
    return;
  }
  const { target } = parsed;
  if (ctx.isSelf(target)) {
    refuse('508 Loop Detected', 'this request is addressed to the proxy itself', 'loop to the proxy itself');
    return;
  }
  const local = isLocalClient(socket.remoteAddress);
  const refused = await refusedDestination(target, local, ctx.destinations);
  if (refused) {
    refuse('403 Forbidden', refused.message, 'private destination');
    return;
  }
  if (ctx.inScope(target.host) || parsed.tls) {
    refuse(
      '501 Not Implemented',
      `${upgrade} upgrades to ${formatHostPort(target)} are not relayed: the host is intercepted (or the URL asks for TLS); Azure Monitor ingestion needs no WebSocket`,
      'intercepted host',
    );
    return;
  }
  const stats: TunnelStats = { target, bytesUp: 0, bytesDown: 0, start: Date.now() };
  let upstream: net.Socket;
  try {
    upstream = await openTunnelUpstream(
      target,
      ctx.resolve,
      ctx.upstreamProxy,
      ctx.upstreamTimeoutMs,
      local ? undefined : guardedLookup,
    );
  } catch (err) {
    const failure = classifyUpstreamError(err as NodeJS.ErrnoException);
    answerRaw(socket, '502 Bad Gateway', `cannot reach ${formatHostPort(target)}: ${failure.message}`);
    ctx.tunnel({ ...stats, end: Date.now(), error: failure.message, client });
    return;
  }
  if (socket.destroyed) {
    upstream.destroy();
    return;
  }
  const lines = [`${req.method} ${parsed.path} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!PROXY_ONLY.has(req.rawHeaders[i]!.toLowerCase()))
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  // latin1: the header bytes go out exactly as they arrived (Node decoded them as latin1).
  const requestHead = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  upstream.write(requestHead);
  if (head.length > 0) upstream.write(head);
  stats.bytesUp += requestHead.length + head.length;
  ctx.notice({
    level: 'info',
    msg: `${upgrade} upgrade tunnelled to ${formatHostPort(target)} (not intercepted)`,
    client,
  });
  spliceSockets(socket, upstream, stats, ctx.idleTimeoutMs, (s) => ctx.tunnel({ ...s, client }));
}

/**
 * An upgrade inside an intercepted tunnel: no intercepted service speaks WebSocket; say so.
 * `where` is the tunnel's target and client, when the tunnel is known.
 */
export function refuseInterceptedUpgrade(
  req: IncomingMessage,
  socket: net.Socket,
  where: { target: HostPort; client: { address: string } } | undefined,
  notice: (n: Notice) => void,
): void {
  answerRaw(
    socket,
    '501 Not Implemented',
    'upgrades inside an intercepted host are not relayed; Azure Monitor ingestion needs no WebSocket',
  );
  notice({
    level: 'warn',
    msg: `refused ${printable(String(req.headers.upgrade ?? ''), 40)} upgrade inside an intercepted host (501)`,
    target: where ? formatHostPort(where.target) : undefined,
    client: where?.client.address,
  });
}
