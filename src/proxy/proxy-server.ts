import './mitm-patches';
import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type net from 'node:net';
import { type ErrorCallback, type IContext, Proxy as MitmProxy } from 'http-mitm-proxy';
import type { CertificateAuthority } from '../certs/ca';
import { LeafIssuer } from '../certs/leaf-issuer';
import type { TunnelStats } from './blind-tunnel';
import { formatHostPort, type HostPort } from './connect-target';
import { ConnectFrontDoor, type FrontDoorContext, type TunnelInfo } from './connect-front-door';
import { type DestinationPolicy, guardedLookup, refusedDestination } from './exposure';
import type { LiveExchange } from './live-exchange';
import { answerLocally, type LocalRoute } from './local-endpoints';
import { makeProxyAuthCheck } from './proxy-auth';
import { type Notice, type RelayDeps, RelayState } from './relay-state';
import { type Route, routeRequest, type RoutingDeps } from './request-routing';
import { ResolveMap } from './resolve-map';
import type { ScopeMatcher } from './scope';
import { isSelfAddress } from './self-address';
import { handleUpgrade, refuseInterceptedUpgrade, type UpgradeContext } from './upgrade-handler';
import { PlainUpstreamAgent, UpstreamAgent } from './upstream-agent';

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
  notice: [Notice];
}

/**
 * The proxy: the thin adapter to http-mitm-proxy's listener and hooks. The CONNECT front door
 * (connect-front-door.ts), upgrades (upgrade-handler.ts), routing (request-routing.ts) and each
 * request's relay and capture (relay-state.ts) are their own units; this class wires them to
 * the library and emits typed events. It never analyses or logs by itself.
 */
export class ProxyServer extends EventEmitter<ProxyServerEvents> {
  private readonly mitm = new MitmProxy();
  private readonly innerServer = http.createServer();
  private readonly tunnels = new WeakMap<net.Socket, TunnelInfo>();
  /** Each request's one state object, keyed by the library's context for its hooks. */
  private readonly relays = new WeakMap<IContext, RelayState>();
  /** The request target as sent: the library rewrites absolute-form URLs before our hooks. */
  private readonly originalUrls = new WeakMap<IncomingMessage, string | undefined>();
  private readonly sockets = new Set<net.Socket>();
  private readonly resolveMap: ResolveMap;
  private readonly upstreamProxy?: URL;
  private readonly httpsAgent: UpstreamAgent;
  private readonly httpAgent: PlainUpstreamAgent;
  private readonly authorized: ReturnType<typeof makeProxyAuthCheck>;
  private readonly destinations: DestinationPolicy;
  private readonly relayDeps: RelayDeps;
  private readonly routingDeps: RoutingDeps;
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
    const notice = (n: Notice) => this.emit('notice', n);
    this.relayDeps = {
      upstream: {
        httpsAgent: this.httpsAgent,
        httpAgent: this.httpAgent,
        timeoutMs: options.upstreamTimeoutMs,
        guardFor: (local) => this.guardFor(local),
      },
      capture: options.capture
        ? {
            maxCaptureBytes: options.maxCaptureBytes,
            now: Date.now,
            deliver: (live) => this.emit('exchange', live),
          }
        : undefined,
      resolve: this.resolveMap,
      upstreamProxy: this.upstreamProxy,
      counters: this.counters,
      notice,
    };
    this.routingDeps = {
      tunnelOf: (socket) => this.tunnels.get(socket),
      originalUrl: (req) => this.originalUrls.get(req),
      isSelf: (t) => this.isSelf(t),
      authorized: this.authorized,
      scopeOf: (host) => options.scope.scopeOf(host),
      allowPrivate: this.destinations.allowPrivate,
    };
  }

  async start(): Promise<{ host: string; port: number }> {
    this.issuer = await LeafIssuer.create(this.options.ca);
    const mitm = this.mitm;
    // All of the library's error handling goes through us: no console output, no "504 Proxy Error".
    mitm._onError = (kind, ctx, err) => this.onLibraryError(kind, ctx, err);
    const frontDoor = new ConnectFrontDoor(this.frontDoorContext());
    mitm.onConnect((req, socket, head) => frontDoor.handle(req, socket as net.Socket, head));
    mitm.onRequest((ctx, cb) => this.onRequest(ctx, cb));
    mitm.onResponse((ctx, cb) => this.stateOf(ctx).responseArrived(cb));
    mitm.onResponseHeaders((ctx, cb) => this.stateOf(ctx).responseHeaders(cb));
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
    this.innerServer.on('upgrade', (req: IncomingMessage, socket: net.Socket) =>
      refuseInterceptedUpgrade(req, socket, this.tunnels.get(socket), (n) => this.emit('notice', n)),
    );
    server.prependListener('request', (req: IncomingMessage) => this.originalUrls.set(req, req.url));
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

  private upgradeContext(): UpgradeContext {
    return {
      authorized: this.authorized,
      isSelf: (t) => this.isSelf(t),
      inScope: (host) => this.options.scope.scopeOf(host) !== undefined,
      destinations: this.destinations,
      resolve: this.resolveMap,
      upstreamProxy: this.upstreamProxy,
      upstreamTimeoutMs: this.options.upstreamTimeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      notice: (n) => this.emit('notice', n),
      tunnel: (t) => this.emit('tunnel', t),
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
    return isSelfAddress(target, this.address);
  }

  /** The request's one state object, made on its first hook (onRequest, or an early error). */
  private stateOf(ctx: IContext): RelayState {
    let state = this.relays.get(ctx);
    if (!state) {
      state = new RelayState(ctx, this.relayDeps);
      this.relays.set(ctx, state);
    }
    return state;
  }

  private onRequest(ctx: IContext, cb: ErrorCallback): void {
    const state = this.stateOf(ctx);
    const req = ctx.clientToProxyRequest;
    const res = ctx.proxyToClientResponse;
    const routing = routeRequest(req, ctx.isSSL, this.routingDeps);
    if (routing.kind === 'local') {
      this.serveLocally(routing.path, req, res);
    } else if (routing.kind === 'answer') {
      res.writeHead(routing.status, routing.headers);
      res.end(routing.text);
    } else {
      // Absolute-form https:// in clear (legacy Node SDK): we make the TLS connection upstream.
      ctx.isSSL = routing.route.scheme === 'https';
      if (routing.checkDestination) this.relayIfAllowed(ctx, state, routing.route, cb);
      else state.relay(routing.route, cb);
    }
  }

  /** A client that is not local: the exposure rules clear the destination first (else 403). */
  private relayIfAllowed(ctx: IContext, state: RelayState, route: Route, cb: ErrorCallback): void {
    refusedDestination(route.target, route.local, this.destinations).then(
      (refused) => {
        if (!refused) {
          state.relay(route, cb);
          return;
        }
        const req = ctx.clientToProxyRequest;
        const res = ctx.proxyToClientResponse;
        this.emit('notice', {
          level: 'warn',
          msg: 'refused a request to a private destination (403)',
          target: formatHostPort(route.target),
          client: req.socket.remoteAddress,
        });
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`appinsights-auth-proxy: ${refused.message}\n`);
      },
      (err: Error) => cb(err),
    );
  }

  /** Every error the library reports: a request's own go to its state, the rest are notices. */
  private onLibraryError(kind: string, ctx: IContext | null, err: Error): void {
    if (!ctx) {
      this.emit('notice', { level: 'debug', msg: `proxy socket error (${kind})`, error: err?.message });
      return;
    }
    this.stateOf(ctx).libraryError(kind, err);
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
    this.mitm.wsServer?.close();
  }
}
