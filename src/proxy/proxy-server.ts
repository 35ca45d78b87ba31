import './mitm-patches';
import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import { Proxy as MitmProxy } from 'http-mitm-proxy';
import type { CertificateAuthority } from '../certs/ca';
import { LeafIssuer } from '../certs/leaf-issuer';
import type { Scope } from '../model/exchange';
import type { TunnelStats } from './blind-tunnel';
import { BodyTap } from './body-tap';
import { formatHostPort, type HostPort } from './connect-target';
import { classifyUpstreamError } from './error-kind';
import { type LiveExchange, nextExchangeId } from './live-exchange';
import { answerLocally, type LocalRoute } from './local-endpoints';
import { makeProxyAuthCheck } from './proxy-auth';
import { ResolveMap } from './resolve-map';
import type { ScopeMatcher } from './scope';
import { PlainUpstreamAgent, UpstreamAgent } from './upstream-agent';
import {
  type DestinationPolicy,
  guardedLookup,
  isLocalClient,
  isLoopbackAddress,
  refusedDestination,
} from './exposure';
import { answerRaw, handleUpgrade } from './upgrade-handler';
import { ConnectFrontDoor, type FrontDoorContext, type TunnelInfo } from './connect-front-door';
import { dropUnwritableHeaders, printable, safeReasonPhrase } from './peer-values';

export interface ProxyServerOptions {
  host: string;
  port: number;
  ca: CertificateAuthority;
  scope: ScopeMatcher;
  resolve: string[];
  upstreamCa: string[];
  upstreamInsecure: boolean;
  upstreamProxy?: string;
  upstreamTimeoutMs: number;
  idleTimeoutMs: number;
  maxCaptureBytes: number;
  proxyAuth?: string;
  /** Let clients that are not local reach loopback and link-local destinations (off by default). */
  allowPrivateDestinations?: boolean;
  /** Capture intercepted exchanges (off: relay only, for measuring the analysis' cost). */
  capture: boolean;
  /** Extra pages and data endpoints on the proxy's own address (tried before the built-ins). */
  localRoutes?: readonly LocalRoute[];
}

export interface ProxyServerEvents {
  /** An intercepted exchange finished (or failed): raw notes, to be recorded off the relay's path. */
  exchange: [LiveExchange];
  /** A blind (not decrypted) tunnel closed. */
  tunnel: [TunnelStats & { client: string }];
  /** Something worth a log line that is not an exchange (bad CONNECT, library noise, ...). */
  notice: [{ level: 'debug' | 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }];
}

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
];
const ORIGINAL_URL = Symbol('originalUrl');
const LIVE = Symbol('liveExchange');
const TARGET = Symbol('target');

/** Removes hop-by-hop headers (and those named in Connection) from a header object, in place. */
function stripHopByHop(headers: Record<string, unknown>, keepTransferEncoding: boolean): void {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const h of [...HOP_BY_HOP, ...named]) {
    if (keepTransferEncoding && h === 'transfer-encoding') continue;
    delete headers[h];
  }
}

/**
 * The proxy: http-mitm-proxy's listener and request/response pipeline, with our CONNECT front
 * door (connect-front-door.ts), our upgrade handler (upgrade-handler.ts), our upstream agent,
 * and capture taps that only listen. Emits typed events; it never analyses or logs by itself.
 */
export class ProxyServer extends EventEmitter<ProxyServerEvents> {
  private readonly mitm = new MitmProxy();
  private readonly innerServer = http.createServer();
  private readonly tunnels = new WeakMap<net.Socket, TunnelInfo>();
  private readonly sockets = new Set<net.Socket>();
  private readonly resolveMap: ResolveMap;
  private readonly upstreamProxy?: URL;
  private readonly httpsAgent: UpstreamAgent;
  private readonly httpAgent: PlainUpstreamAgent;
  private readonly authorized: ReturnType<typeof makeProxyAuthCheck>;
  private readonly destinations: DestinationPolicy;
  private issuer?: LeafIssuer;
  private readonly startedAt = Date.now();
  readonly counters = { exchanges: 0, tunnels: 0, tlsFailures: 0, rejectedConnects: 0 };
  address?: { host: string; port: number };

  constructor(private readonly options: ProxyServerOptions) {
    super();
    this.resolveMap = new ResolveMap(options.resolve);
    this.upstreamProxy = options.upstreamProxy ? new URL(options.upstreamProxy) : undefined;
    const upstream = {
      resolve: this.resolveMap,
      extraCa: options.upstreamCa,
      insecure: options.upstreamInsecure,
      upstreamProxy: this.upstreamProxy,
      timeoutMs: options.upstreamTimeoutMs,
    };
    this.httpsAgent = new UpstreamAgent(upstream);
    this.httpAgent = new PlainUpstreamAgent(upstream);
    this.authorized = makeProxyAuthCheck(options.proxyAuth);
    this.destinations = {
      allowPrivate: options.allowPrivateDestinations ?? false,
      resolve: this.resolveMap,
      namesResolvedUpstream: this.upstreamProxy !== undefined,
    };
  }

  async start(): Promise<{ host: string; port: number }> {
    this.issuer = await LeafIssuer.create(this.options.ca);
    const mitm = this.mitm;
    // All of the library's error handling goes through us: no console output, no "504 Proxy Error".
    mitm._onError = (kind: string, ctx: any, err: Error) => this.onLibraryError(kind, ctx, err);
    const frontDoor = new ConnectFrontDoor(this.frontDoorContext());
    mitm.onConnect((req, socket, head) => frontDoor.handle(req, socket as net.Socket, head));
    mitm.onRequest((ctx, cb) => this.onRequest(ctx, cb));
    mitm.onResponse((ctx, cb) => this.onResponse(ctx, cb));
    mitm.onResponseHeaders((ctx, cb) => this.onResponseHeaders(ctx, cb));
    this.innerServer.on('request', (req, res) => mitm._onHttpServerRequest(true, req, res));
    this.innerServer.keepAliveTimeout = this.options.idleTimeoutMs;
    // A decrypted connection that goes quiet (no request, or none after the last) is closed.
    this.innerServer.timeout = this.options.idleTimeoutMs;

    await new Promise<void>((resolve, reject) => {
      mitm.listen(
        {
          host: this.options.host,
          port: this.options.port,
          keepAlive: true,
          httpAgent: this.httpAgent,
          httpsAgent: this.httpsAgent,
        },
        (err?: Error | null) => (err ? reject(err) : resolve()),
      );
      mitm.httpServer?.once('error', reject);
    });
    const server = mitm.httpServer!;
    server.keepAliveTimeout = this.options.idleTimeoutMs;
    server.headersTimeout = Math.min(this.options.idleTimeoutMs, 60_000);
    // A client that connects and sends nothing is closed after the idle timeout (headersTimeout
    // alone is only checked every 30 s by Node).
    server.timeout = this.options.idleTimeoutMs;
    server.on('connection', (socket: net.Socket) => this.track(socket));
    // Upgrades are ours: the library's WebSocket handler skipped credentials, scope and the loop check.
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
      handleUpgrade(this.upgradeContext(), req, socket, head).catch(() => socket.destroy());
    });
    // Inside an intercepted tunnel: no intercepted service speaks WebSocket; say so.
    this.innerServer.on('upgrade', (req: IncomingMessage, socket: net.Socket) => {
      const tunnel = this.tunnels.get(socket);
      answerRaw(
        socket,
        '501 Not Implemented',
        'upgrades inside an intercepted host are not relayed; Azure Monitor ingestion needs no WebSocket',
      );
      this.emit('notice', {
        level: 'warn',
        msg: `refused ${printable(String(req.headers.upgrade ?? ''), 40)} upgrade inside an intercepted host (501)`,
        target: tunnel ? formatHostPort(tunnel.target) : undefined,
        client: tunnel?.client.address,
      });
    });
    // Remember the request target as sent: the library rewrites absolute-form URLs before our hooks.
    server.prependListener('request', (req: IncomingMessage) => {
      (req as any)[ORIGINAL_URL] = req.url;
    });
    const addr = server.address() as net.AddressInfo;
    this.address = { host: this.options.host, port: addr.port };
    return this.address;
  }

  private frontDoorContext(): FrontDoorContext {
    return {
      authorized: this.authorized,
      isSelf: (t) => this.isSelf(t),
      scopeOf: (host) => this.options.scope.scopeOf(host),
      destinations: this.destinations,
      guardFor: (local) => this.guardFor(local),
      resolve: this.resolveMap,
      upstreamProxy: this.upstreamProxy,
      upstreamTimeoutMs: this.options.upstreamTimeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      issuer: () => this.issuer!,
      counters: this.counters,
      intercepted: (tlsSocket, info) => {
        this.tunnels.set(tlsSocket, info);
        this.innerServer.emit('connection', tlsSocket);
      },
      exchange: (live) => this.emit('exchange', live),
      tunnel: (t) => this.emit('tunnel', t),
      notice: (n) => this.emit('notice', n),
    };
  }

  private upgradeContext() {
    return {
      authorized: this.authorized,
      isSelf: (t: HostPort) => this.isSelf(t),
      inScope: (host: string) => this.options.scope.scopeOf(host) !== undefined,
      destinations: this.destinations,
      resolve: this.resolveMap,
      upstreamProxy: this.upstreamProxy,
      upstreamTimeoutMs: this.options.upstreamTimeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      notice: (n: ProxyServerEvents['notice'][0]) => this.emit('notice', n),
      tunnel: (t: TunnelStats & { client: string }) => this.emit('tunnel', t),
    };
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  /** Upstream connections held by the pools (in use or idle, kept for reuse). */
  get upstreamPoolSockets(): number {
    let n = 0;
    for (const agent of [this.httpsAgent, this.httpAgent]) {
      for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)])
        n += list?.length ?? 0;
    }
    return n;
  }

  get listening(): string {
    return this.address ? formatHostPort(this.address) : '(not listening)';
  }

  /** Requests addressed to the proxy itself: health, CA download, a short help page. */
  private serveLocally(path: string, req: IncomingMessage, res: ServerResponse): void {
    answerLocally(path, req, res, {
      caCertPem: this.options.ca.certPem,
      listening: this.listening,
      startedAt: this.startedAt,
      counters: () => ({ ...this.counters }),
      routes: this.options.localRoutes,
    });
  }

  /** The lookup for a client's upstream connections: guarded unless local (or allowed). */
  private guardFor(local: boolean): typeof guardedLookup | undefined {
    return local || this.destinations.allowPrivate ? undefined : guardedLookup;
  }

  private isSelf(target: HostPort): boolean {
    if (!this.address || target.port !== this.address.port) return false;
    const h = target.host;
    if (h === this.address.host || h === 'localhost' || isLoopbackAddress(h) || h === '0.0.0.0' || h === '::')
      return true;
    // Listening on every interface: any address of this machine reaches us too.
    const any = this.address.host === '0.0.0.0' || this.address.host === '::';
    return any && Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === h));
  }

  // ---- Requests --------------------------------------------------------------------------

  private onRequest(ctx: any, cb: (err?: Error) => void): void {
    const req: IncomingMessage = ctx.clientToProxyRequest;
    const res: ServerResponse = ctx.proxyToClientResponse;
    let scheme: 'https' | 'http';
    let target: HostPort;
    let path: string;
    let scope: Scope | undefined;
    let tunnel: TunnelInfo | undefined;

    if (ctx.isSSL) {
      tunnel = this.tunnels.get(req.socket);
      if (!tunnel) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('appinsights-auth-proxy: lost the tunnel of this request\n');
        return;
      }
      // The CONNECT line says where the client meant to go; the Host header is not trusted for routing.
      scheme = 'https';
      target = tunnel.target;
      path = req.url ?? '/';
      scope = tunnel.scope;
    } else {
      const original: string = (req as any)[ORIGINAL_URL] ?? req.url ?? '/';
      if (original.startsWith('/') || original === '*') {
        this.serveLocally(original, req, res);
        return;
      }
      let url: URL;
      try {
        url = new URL(original);
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('appinsights-auth-proxy: malformed request target\n');
        return;
      }
      scheme = url.protocol === 'https:' ? 'https' : 'http';
      target = {
        host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(),
        port: Number(url.port || (scheme === 'https' ? 443 : 80)),
      };
      path = `${url.pathname}${url.search}`;
      if (this.isSelf(target)) {
        this.serveLocally(path, req, res);
        return;
      }
      if (!this.authorized(req.headers)) {
        res.writeHead(407, {
          'proxy-authenticate': 'Basic realm="appinsights-auth-proxy"',
          'content-type': 'text/plain; charset=utf-8',
        });
        res.end('appinsights-auth-proxy: proxy authentication required\n');
        return;
      }
      // Absolute-form https:// in clear (legacy Node SDK): we make the TLS connection upstream.
      ctx.isSSL = scheme === 'https';
      scope = this.options.scope.scopeOf(target.host);
      const local = isLocalClient(req.socket.remoteAddress);
      if (!local && !this.destinations.allowPrivate) {
        const to = target;
        refusedDestination(to, local, this.destinations).then(
          (refused) => {
            if (!refused) {
              this.forward(ctx, cb, { scheme, target: to, path, scope, local });
              return;
            }
            this.emit('notice', {
              level: 'warn',
              msg: 'refused a request to a private destination (403)',
              target: formatHostPort(to),
              client: req.socket.remoteAddress,
            });
            res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
            res.end(`appinsights-auth-proxy: ${refused.message}\n`);
          },
          (err: Error) => cb(err),
        );
        return;
      }
    }
    this.forward(ctx, cb, { scheme, target, path, scope, tunnel, local: tunnel?.local ?? true });
  }

  /** Sets up the upstream request of an exchange the proxy relays, and its capture. */
  private forward(
    ctx: any,
    cb: (err?: Error) => void,
    route: {
      scheme: 'https' | 'http';
      target: HostPort;
      path: string;
      scope?: Scope;
      tunnel?: TunnelInfo;
      local: boolean;
    },
  ): void {
    const { scheme, target, path, scope, tunnel } = route;
    const req: IncomingMessage = ctx.clientToProxyRequest;
    const res: ServerResponse = ctx.proxyToClientResponse;
    const options = ctx.proxyToServerRequestOptions;
    options.host = target.host;
    options.port = target.port;
    options.path = path;
    options.agent = scheme === 'https' ? this.httpsAgent : this.httpAgent;
    if (scheme === 'https') options.servername = target.host;
    const lookup = this.guardFor(route.local);
    if (lookup) options.lookup = lookup;
    stripHopByHop(options.headers, true);

    // Upstream timeout: from the request's start to the response headers.
    // (A plain timer that destroys the upstream request: no AbortController per request.)
    const timer = setTimeout(() => {
      ctx.upstreamTimedOut = true;
      ctx.proxyToServerRequest?.destroy(new Error('upstream timeout'));
    }, this.options.upstreamTimeoutMs);
    ctx.clearUpstreamTimer = () => clearTimeout(timer);

    // Client gone before the end: abort upstream so nothing is left half-open.
    res.once('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) {
        ctx.clientAborted = true;
        ctx.proxyToServerRequest?.destroy();
      }
      const live: LiveExchange | undefined = ctx[LIVE];
      if (live) this.finish(live, ctx);
    });

    if (scope && this.options.capture) {
      const live: LiveExchange = {
        id: nextExchangeId(),
        start: Date.now(),
        client: tunnel?.client ?? { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort },
        scope,
        method: req.method ?? 'GET',
        scheme,
        target,
        path,
        httpVersion: req.httpVersion,
        requestHeaders: req.headers,
        requestBody: new BodyTap(this.options.maxCaptureBytes),
      };
      if (tunnel) live.connect = tunnel.connect;
      const to = this.resolveMap.lookup(target.host, target.port);
      live.upstream = this.upstreamProxy
        ? { address: formatHostPort(target), viaProxy: this.upstreamProxy.host }
        : { address: formatHostPort(to) };
      ctx[LIVE] = live;
      const tap = live.requestBody!;
      req.on('data', (chunk: Buffer) => tap.push(chunk));
    }
    this.counters.exchanges += 1;
    ctx[TARGET] = target;
    // The library builds the upstream request right after this callback, synchronously: a value
    // from the client that http.request() refuses becomes a 400 for this request, not a crash.
    try {
      cb();
      // A 101 the client never asked for (upgrades do not come this way): Node would leave the
      // request hanging until the timeout; answer 502 at once.
      ctx.proxyToServerRequest?.once('upgrade', (_res: IncomingMessage, upstreamSocket: net.Socket) => {
        upstreamSocket.destroy();
        this.onLibraryError(
          'PROXY_TO_SERVER_REQUEST_ERROR',
          ctx,
          Object.assign(
            new Error('upstream switched protocols (101) on a request that asked for no upgrade'),
            {
              code: 'UPSTREAM_UNEXPECTED_UPGRADE',
            },
          ),
        );
      });
    } catch (err) {
      clearTimeout(timer);
      this.emit('notice', {
        level: 'warn',
        msg: 'request refused: a value in it cannot be sent upstream (400)',
        target: formatHostPort(target),
        error: printable((err as Error).message),
      });
      if (!res.headersSent) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end('appinsights-auth-proxy: the request holds a value that cannot be sent upstream\n');
      }
    }
  }

  private onResponse(ctx: any, cb: (err?: Error) => void): void {
    ctx.clearUpstreamTimer?.();
    const upstreamRes: IncomingMessage = ctx.serverToProxyResponse;
    const live: LiveExchange | undefined = ctx[LIVE];
    if (live) {
      live.response = {
        status: upstreamRes.statusCode ?? 0,
        reason: upstreamRes.statusMessage ?? '',
        httpVersion: upstreamRes.httpVersion,
        headers: { ...upstreamRes.headers },
        at: Date.now(),
      };
      const tap = new BodyTap(this.options.maxCaptureBytes);
      live.responseBody = tap;
      upstreamRes.on('data', (chunk: Buffer) => tap.push(chunk));
    }
    cb();
  }

  private onResponseHeaders(ctx: any, cb: (err?: Error) => void): void {
    const upstreamRes: IncomingMessage = ctx.serverToProxyResponse;
    const res: ServerResponse = ctx.proxyToClientResponse;
    // Keep the service's own reason phrase ("Authentication not supported" matters to SDKs),
    // unless it holds bytes Node cannot write (a hostile upstream would crash the write).
    const status = upstreamRes.statusCode ?? 502;
    const { reason, replaced } = safeReasonPhrase(status, upstreamRes.statusMessage);
    res.statusMessage = reason;
    // Framing and connection management are per hop: Node sets them for the client's connection.
    stripHopByHop(upstreamRes.headers, false);
    const dropped = dropUnwritableHeaders(upstreamRes.headers);
    if (replaced || dropped.length > 0) {
      this.emit('notice', {
        level: 'warn',
        msg: 'upstream response held bytes that cannot be relayed; sanitised',
        upstream: formatHostPort(ctx[TARGET] ?? { host: '?', port: 0 }),
        ...(replaced ? { reasonPhrase: printable(upstreamRes.statusMessage ?? '') } : {}),
        ...(dropped.length > 0 ? { droppedHeaders: dropped } : {}),
      });
    }
    // The library writes the head right after this callback, synchronously: a throw there (any
    // value we did not foresee) must become a 502 for this exchange, not an uncaught exception.
    try {
      cb();
    } catch (err) {
      this.onLibraryError('PEER_VALUE_ERROR', ctx, err as Error);
    }
  }

  private finish(live: LiveExchange, ctx: any): void {
    if (live.end !== undefined) return;
    live.end = Date.now();
    if (ctx.clientAborted && !live.error) {
      live.error = {
        kind: 'CLIENT_ABORTED',
        message: 'the client closed the connection before the exchange ended',
      };
    }
    this.emit('exchange', live);
  }

  /** Every error the library reports, in one place: upstream failures become 502/504 answers. */
  private onLibraryError(kind: string, ctx: any, err: Error): void {
    if (!ctx) {
      this.emit('notice', { level: 'debug', msg: `proxy socket error (${kind})`, error: err?.message });
      return;
    }
    ctx.clearUpstreamTimer?.();
    const res: ServerResponse = ctx.proxyToClientResponse;
    const live: LiveExchange | undefined = ctx[LIVE];
    const clientSide = kind === 'CLIENT_TO_PROXY_REQUEST_ERROR' || kind === 'PROXY_TO_CLIENT_RESPONSE_ERROR';
    if (clientSide || ctx.clientAborted) {
      ctx.clientAborted = true;
      ctx.proxyToServerRequest?.destroy();
      return;
    }
    const failure = ctx.upstreamTimedOut
      ? {
          kind: 'UPSTREAM_TIMEOUT' as const,
          message: `no response from upstream within ${this.options.upstreamTimeoutMs} ms`,
          code: 'UPSTREAM_TIMEOUT',
          status: 504 as const,
        }
      : classifyUpstreamError(err as NodeJS.ErrnoException);
    if (live && !live.error) {
      const { status: _status, ...error } = failure;
      live.error = error;
    }
    if (!res.headersSent) {
      const body = `appinsights-auth-proxy: ${failure.kind}: ${failure.message}\n`;
      res.writeHead(failure.status, failure.status === 504 ? 'Gateway Timeout' : 'Bad Gateway', {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-appinsights-auth-proxy-error': failure.kind,
      });
      res.end(body);
    } else {
      // Mid-body failure: cut the client's connection so it sees a truncated body, not a clean end.
      res.destroy();
    }
    ctx.proxyToServerRequest?.destroy();
  }

  async close(): Promise<void> {
    const server = this.mitm.httpServer;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of this.sockets) socket.destroy();
      });
    }
    this.innerServer.closeAllConnections();
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
    (this.mitm as any).wsServer?.close();
  }
}
