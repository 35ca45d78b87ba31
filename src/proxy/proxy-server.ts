import './mitm-patches';
import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type net from 'node:net';
import { type ErrorCallback, type IContext, Proxy as MitmProxy } from 'http-mitm-proxy';
import { LeafIssuer } from '../certs/leaf-issuer';
import { formatHostPort } from './connect-target';
import { ConnectFrontDoor, type FrontDoorContext, type TunnelInfo } from './connect-front-door';
import { type DestinationPolicy, guardedLookup } from './exposure';
import { answerLocally } from './local-endpoints';
import { makeProxyAuthCheck } from './proxy-auth';
import { type RelayDeps, RelayState } from './relay-state';
import { routeRequest, type RoutingDeps } from './request-routing';
import type { ProxyServerEvents, ProxyServerOptions } from './proxy-options';
import { ResolveMap } from './resolve-map';
import { isSelfAddress } from './self-address';
import { configureInnerServer } from './inner-server';
import { handleUpgrade, type UpgradeContext } from './upgrade-handler';
import { PlainUpstreamAgent, pooledSockets, PRECONNECT_TTL_MS, UpstreamAgent } from './upstream-agent';

export type { ProxyServerEvents, ProxyServerOptions } from './proxy-options';

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
  /** Each request's one state, by its client response: the hooks (ctx) and idle sockets reach it. */
  private readonly relays = new WeakMap<ServerResponse, RelayState>();
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
  /** What the front door, the upgrade handler and routing need: one object, built once. */
  private readonly doors: FrontDoorContext & UpgradeContext & RoutingDeps;
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
      preconnectTtlMs: PRECONNECT_TTL_MS,
    };
    this.httpsAgent = new UpstreamAgent(upstream);
    this.httpAgent = new PlainUpstreamAgent(upstream);
    this.authorized = makeProxyAuthCheck(options.proxyAuth);
    this.destinations = {
      allowPrivate: options.allowPrivateDestinations ?? false,
      resolve: this.resolveMap,
      namesResolvedUpstream: this.upstreamProxy !== undefined,
    };
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
      notice: (n) => this.emit('notice', n),
    };
    this.doors = this.doorContext();
  }

  async start(): Promise<{ host: string; port: number }> {
    this.issuer = await LeafIssuer.create(this.options.ca);
    const mitm = this.mitm;
    // All of the library's error handling goes through us: no console output, no "504 Proxy Error".
    mitm._onError = (kind, ctx, err) => this.onLibraryError(kind, ctx, err);
    const doors = this.doors;
    const frontDoor = new ConnectFrontDoor(doors);
    mitm.onConnect((req, socket, head) => frontDoor.handle(req, socket as net.Socket, head));
    mitm.onRequest((ctx, cb) => this.onRequest(ctx, cb));
    mitm.onResponse((ctx, cb) => this.stateOf(ctx).responseArrived(cb));
    mitm.onResponseHeaders((ctx, cb) => this.stateOf(ctx).responseHeaders(cb));
    configureInnerServer(this.innerServer, this.options.idleTimeoutMs, {
      relay: (req, res) => mitm._onHttpServerRequest(true, req, res),
      where: (socket) => this.tunnels.get(socket),
      stateOf: (res) => this.relays.get(res),
      notice: (n) => this.emit('notice', n),
    });

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
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // Upgrades are ours: the library's WebSocket handler skipped credentials, scope and the loop check.
    server.removeAllListeners('upgrade');
    server.on('upgrade', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
      handleUpgrade(doors, req, socket, head).catch(() => socket.destroy());
    });
    server.prependListener('request', (req: IncomingMessage) => this.originalUrls.set(req, req.url));
    const addr = server.address() as net.AddressInfo;
    this.address = { host: this.options.host, port: addr.port };
    return this.address;
  }

  private doorContext(): FrontDoorContext & UpgradeContext & RoutingDeps {
    return {
      tunnelOf: (socket) => this.tunnels.get(socket),
      originalUrl: (req) => this.originalUrls.get(req),
      authorized: this.authorized,
      isSelf: (t) => isSelfAddress(t, this.address),
      scopeOf: (host) => this.options.scope.scopeOf(host),
      inScope: (host) => this.options.scope.scopeOf(host) !== undefined,
      destinations: this.destinations,
      guardFor: (local) => this.guardFor(local),
      resolve: this.resolveMap,
      upstreamProxy: this.upstreamProxy,
      upstreamTimeoutMs: this.options.upstreamTimeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      issuer: () => this.issuer!,
      counters: this.counters,
      preconnect: (target, local) => this.httpsAgent.preconnect(target, this.guardFor(local)),
      intercepted: (tlsSocket, info) => {
        this.tunnels.set(tlsSocket, info);
        this.innerServer.emit('connection', tlsSocket);
      },
      exchange: (live) => this.emit('exchange', live),
      tunnel: (t) => this.emit('tunnel', t),
      notice: (n) => this.emit('notice', n),
    };
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  /** Upstream connections held by the pools (in use or idle, kept for reuse). */
  get upstreamPoolSockets(): number {
    return pooledSockets(this.httpsAgent) + pooledSockets(this.httpAgent);
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

  /** The request's one state object, made on its first hook (onRequest, or an early error). */
  private stateOf(ctx: IContext): RelayState {
    let state = this.relays.get(ctx.proxyToClientResponse);
    if (!state) {
      state = new RelayState(ctx, this.relayDeps);
      this.relays.set(ctx.proxyToClientResponse, state);
    }
    return state;
  }

  private onRequest(ctx: IContext, cb: ErrorCallback): void {
    const state = this.stateOf(ctx);
    const req = ctx.clientToProxyRequest;
    const res = ctx.proxyToClientResponse;
    const routing = routeRequest(req, ctx.isSSL, this.doors);
    if (routing.kind === 'local') {
      this.serveLocally(routing.path, req, res);
    } else if (routing.kind === 'answer') {
      res.writeHead(routing.status, routing.headers);
      res.end(routing.text);
    } else {
      // Absolute-form https:// in clear (legacy Node SDK): we make the TLS connection upstream.
      ctx.isSSL = routing.route.scheme === 'https';
      if (routing.checkDestination) state.relayIfAllowed(routing.route, this.destinations, cb);
      else state.relay(routing.route, cb);
    }
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
