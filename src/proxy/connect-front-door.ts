import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type net from 'node:net';
import type tls from 'node:tls';
import type { LeafIssuer } from '../certs/leaf-issuer';
import type { ExchangeError, Scope } from '../model/exchange';
import { openTunnelUpstream, spliceSockets, type TunnelStats } from './blind-tunnel';
import { formatHostPort, type HostPort, parseConnectTarget } from './connect-target';
import { classifyUpstreamError } from './error-kind';
import { type DestinationPolicy, type guardedLookup, isLocalClient, refusedDestination } from './exposure';
import { type LiveExchange, liveExchange, nextExchangeId } from './live-exchange';
import { PROXY_AUTH_REQUIRED } from './proxy-auth';
import type { ResolveMap } from './resolve-map';
import { terminateTls } from './tls-terminator';
import { answerRaw } from './upgrade-handler';
import { printable } from './peer-values';
import { withoutCredentials } from '../ingestion/redact';

export interface TunnelInfo {
  target: HostPort;
  scope: Scope;
  connect: { target: string; httpVersion: string };
  client: { address: string; port?: number };
  /** The client connected from a loopback address. */
  local: boolean;
}

type Notice = { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown };

/** What the CONNECT front door needs from the proxy (passed in, so it holds no listener state). */
export interface FrontDoorContext {
  authorized(headers: IncomingHttpHeaders): boolean;
  isSelf(target: HostPort): boolean;
  scopeOf(host: string): Scope | undefined;
  destinations: DestinationPolicy;
  guardFor(local: boolean): typeof guardedLookup | undefined;
  resolve: ResolveMap;
  upstreamProxy?: URL;
  upstreamTimeoutMs: number;
  idleTimeoutMs: number;
  issuer(): LeafIssuer;
  counters: { tunnels: number; tlsFailures: number; rejectedConnects: number };
  /** Open the upstream connection while the client's TLS handshake with us runs. */
  preconnect(target: HostPort, local: boolean): void;
  /** A TLS session we terminated, ready for the decrypted side's HTTP server. */
  intercepted(tlsSocket: tls.TLSSocket, info: TunnelInfo): void;
  exchange(live: LiveExchange): void;
  tunnel(stats: TunnelStats & { client: string }): void;
  notice(n: Notice): void;
}

function isTlsClientHello(byte: number | undefined): boolean {
  return byte === 0x16;
}

/**
 * The CONNECT front door: validates the target, checks credentials, the loop to ourselves and
 * the exposure rules, then either tunnels blind (out of scope, or not TLS) or terminates TLS with
 * our CA for an intercepted host. Every refusal is a short raw answer and a notice.
 */
export class ConnectFrontDoor {
  constructor(private readonly ctx: FrontDoorContext) {}

  handle(req: IncomingMessage, socket: net.Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const target = parseConnectTarget(req.url);
    const client = { address: socket.remoteAddress ?? '', port: socket.remotePort };
    if (!target) {
      this.ctx.counters.rejectedConnects += 1;
      const body = 'appinsights-auth-proxy: the CONNECT target must be host:port\n';
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      this.ctx.notice({
        level: 'warn',
        msg: `refused CONNECT to an invalid target`,
        // `user:password@host:port` (a client that put its proxy credentials there): not shown.
        target: withoutCredentials(printable(String(req.url))),
        client: client.address,
      });
      return;
    }
    if (!this.ctx.authorized(req.headers)) {
      socket.end(PROXY_AUTH_REQUIRED);
      this.ctx.notice({
        level: 'warn',
        msg: 'CONNECT without valid proxy credentials (407)',
        client: client.address,
      });
      return;
    }
    if (this.ctx.isSelf(target)) {
      socket.end('HTTP/1.1 508 Loop Detected\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const local = isLocalClient(socket.remoteAddress);
    refusedDestination(target, local, this.ctx.destinations).then(
      (refused) => {
        if (!refused) {
          this.acceptConnect(req, socket, head, target, { ...client, local });
          return;
        }
        this.ctx.counters.rejectedConnects += 1;
        answerRaw(socket, '403 Forbidden', refused.message);
        this.ctx.notice({
          level: 'warn',
          msg: 'refused CONNECT to a private destination (403)',
          target: formatHostPort(target),
          client: client.address,
        });
      },
      () => socket.destroy(),
    );
  }

  private acceptConnect(
    req: IncomingMessage,
    socket: net.Socket,
    head: Buffer,
    target: HostPort,
    client: TunnelInfo['client'] & { local: boolean },
  ): void {
    const { local, ...clientAddress } = client;
    socket.setNoDelay(true);
    socket.setTimeout(this.ctx.idleTimeoutMs, () => socket.destroy());
    const scope = this.ctx.scopeOf(target.host);
    const connect = { target: formatHostPort(target), httpVersion: req.httpVersion };
    if (!scope) {
      this.openBlindTunnel(socket, head, target, clientAddress, true, local);
      return;
    }
    socket.write(`HTTP/${req.httpVersion === '1.0' ? '1.0' : '1.1'} 200 Connection established\r\n\r\n`);
    this.prepareLeaf(target.host);
    const withFirstBytes = (first: Buffer) => {
      if (!isTlsClientHello(first[0])) {
        // Not TLS: relay it untouched rather than guess at a protocol.
        this.openBlindTunnel(socket, first, target, clientAddress, false, local);
        return;
      }
      socket.pause();
      socket.unshift(first);
      this.ctx.preconnect(target, local);
      this.intercept(socket, { target, scope, connect, client: clientAddress, local });
    };
    if (head.length > 0) withFirstBytes(head);
    else socket.once('data', withFirstBytes);
  }

  /**
   * Makes (and caches) the leaf for the host while the client reads our 200 and builds its
   * ClientHello, so the handshake does not wait for it. A failure here is left to the handshake,
   * which asks again and reports it.
   */
  private prepareLeaf(host: string): void {
    try {
      this.ctx.issuer().contextFor(host);
    } catch {
      // reported by the handshake
    }
  }

  private intercept(socket: net.Socket, info: TunnelInfo): void {
    const issuer = this.ctx.issuer();
    terminateTls(
      socket,
      info.target.host,
      issuer,
      (name) => this.ctx.scopeOf(name) !== undefined,
      (tlsSocket: tls.TLSSocket) => {
        // From here the decrypted side's own inactivity timeout (innerServer.timeout) applies.
        socket.setTimeout(0);
        this.ctx.intercepted(tlsSocket, info);
      },
      (error, startedAt) => this.reportHandshakeFailure(info, error, startedAt),
    );
  }

  private reportHandshakeFailure(info: TunnelInfo, error: ExchangeError, startedAt: number): void {
    this.ctx.counters.tlsFailures += 1;
    const opening = {
      client: info.client,
      connect: info.connect,
      scope: info.scope,
      method: 'CONNECT',
      scheme: 'https' as const,
      target: info.target,
      path: '',
      httpVersion: info.connect.httpVersion,
      requestHeaders: {},
    };
    this.ctx.exchange(liveExchange(nextExchangeId(), startedAt, opening, { end: Date.now(), error }));
  }

  private openBlindTunnel(
    socket: net.Socket,
    head: Buffer,
    target: HostPort,
    client: { address: string },
    answerConnect: boolean,
    local: boolean,
  ): void {
    const stats: TunnelStats = { target, bytesUp: 0, bytesDown: 0, start: Date.now() };
    openTunnelUpstream(
      target,
      this.ctx.resolve,
      this.ctx.upstreamProxy,
      this.ctx.upstreamTimeoutMs,
      this.ctx.guardFor(local),
    ).then(
      (upstream) => {
        this.ctx.counters.tunnels += 1;
        if (socket.destroyed) {
          upstream.destroy();
          return;
        }
        if (answerConnect) socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (head.length > 0) {
          stats.bytesUp += head.length;
          upstream.write(head);
        }
        spliceSockets(socket, upstream, stats, this.ctx.idleTimeoutMs, (s) =>
          this.ctx.tunnel({ ...s, client: client.address }),
        );
        socket.resume();
      },
      (err: NodeJS.ErrnoException) => {
        const failure = classifyUpstreamError(err);
        const body = `appinsights-auth-proxy: cannot reach ${formatHostPort(target)}: ${failure.message}\n`;
        if (answerConnect) {
          socket.end(
            `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          );
        } else socket.destroy();
        this.ctx.tunnel({ ...stats, end: Date.now(), error: failure.message, client: client.address });
      },
    );
  }
}
