import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { HostPort } from './connect-target';
import type { guardedLookup } from './exposure';
import { connectThroughProxy } from './upstream-proxy';
import type { ResolveMap } from './resolve-map';
import { WarmConnections } from './warm-connections';

export interface UpstreamOptions {
  resolve: ResolveMap;
  /** Extra trusted roots (PEM), added to the system roots. */
  extraCa: string[];
  insecure: boolean;
  upstreamProxy?: URL;
  /** Idle limit for an upstream socket, and the connect timeout. */
  timeoutMs: number;
  /** How long a connection opened ahead of its request waits to be claimed (0: never open one). */
  preconnectTtlMs?: number;
}

/** Pool names with a connection opened ahead at once, at most (one per name). */
const MAX_WARM = 64;
/** How long a connection opened ahead waits for its request before it is closed. */
export const PRECONNECT_TTL_MS = 5000;

/**
 * The https.Agent for every intercepted request. One pool shared by all client tunnels, so the
 * exporter's new-tunnel-per-request pattern still reuses upstream TLS connections. It applies
 * --resolve (keeping the name for SNI), chains through --upstream-proxy, and sets TCP_NODELAY
 * (reused sockets otherwise stall on Nagle + delayed ACK with larger bodies).
 */
export class UpstreamAgent extends https.Agent {
  private readonly upstream: UpstreamOptions;
  /**
   * One secure context (system roots + --upstream-ca) for every upstream connection: passing `ca`
   * instead made Node parse ~150 root certificates per connection and, worse, concatenate them
   * into the pool key of every request (https.Agent#getName), which was the hottest function.
   */
  private readonly secureContext: tls.SecureContext;
  private readonly warm: WarmConnections;

  constructor(options: UpstreamOptions) {
    super({
      keepAlive: true,
      keepAliveMsecs: 1000,
      maxSockets: 256,
      maxFreeSockets: 64,
      scheduling: 'lifo',
      timeout: options.timeoutMs,
      rejectUnauthorized: !options.insecure,
    });
    this.upstream = options;
    this.secureContext = tls.createSecureContext(
      options.extraCa.length ? { ca: [...tls.rootCertificates, ...options.extraCa] } : {},
    );
    this.warm = new WarmConnections(options.preconnectTtlMs ?? 0, MAX_WARM);
  }

  /**
   * Opens the connection for the next request to host:port now, while the client's TLS handshake
   * with us runs, when that pool has no idle connection. Not through --upstream-proxy (a CONNECT
   * there first; those requests connect when they arrive, as before).
   */
  preconnect({ host, port }: HostPort, lookup?: typeof guardedLookup): void {
    if (this.upstream.upstreamProxy) return;
    // The same options a request aimed by aimUpstream() brings, so the pool names match.
    const options: https.RequestOptions & net.TcpSocketConnectOpts = {
      ...this.options,
      host,
      port,
      servername: host,
      lookup,
      keepAlive: true,
      keepAliveInitialDelay: this.options.keepAliveMsecs,
    };
    const name = this.getName(options);
    if (!this.warm.wants(name) || (this.freeSockets[name]?.length ?? 0) > 0) return;
    this.warm.hold(name, this.connectTls(options));
  }

  override destroy(): void {
    this.warm.closeAll();
    super.destroy();
  }

  /** The pool key: every TLS option is agent-wide, so host, port and SNI name identify a pool. */
  override getName(options: https.RequestOptions = {}): string {
    // Connections made with the private-destination guard are pooled apart from the others.
    return `${options.host ?? 'localhost'}:${options.port ?? ''}:${options.servername ?? ''}${options.lookup ? ':guarded' : ''}`;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    if (!this.upstream.upstreamProxy)
      return this.warm.take(this.getName(options)) ?? this.connectTls(options);
    // Through a corporate proxy: CONNECT with the real name (the proxy resolves it), then TLS inside.
    connectThroughProxy(
      this.upstream.upstreamProxy,
      { host: sniName(options), port: Number(options.port) },
      this.upstream.timeoutMs,
    )
      .then((raw) => {
        raw.setNoDelay(true);
        callback?.(null, this.connectTls(options, raw));
      })
      .catch((err: Error) => failed(callback, err));
    return undefined;
  }

  /** TLS to the request's target (after --resolve), on `raw` when given (inside a CONNECT). */
  private connectTls(options: https.RequestOptions, raw?: net.Socket): tls.TLSSocket {
    const name = sniName(options);
    const target = this.upstream.resolve.lookup(options.host ?? 'localhost', Number(options.port));
    const socket = tls.connect({
      ...options,
      path: options.path ?? undefined,
      host: target.host,
      port: target.port,
      servername: net.isIP(name) ? undefined : name,
      secureContext: this.secureContext,
      ...(raw ? { socket: raw } : {}),
    });
    socket.setNoDelay(true);
    return socket;
  }
}

function sniName(options: https.RequestOptions): string {
  return options.servername || (options.host ?? 'localhost');
}

/** Reports a failed connection the way Node's own agent does: the error alone, no socket. */
function failed(callback: ((err: Error | null, socket: Duplex) => void) | undefined, err: Error): void {
  (callback as ((err: Error) => void) | undefined)?.(err);
}

/** Plain-HTTP upstream (absolute-form http:// requests), with --resolve and TCP_NODELAY. */
export class PlainUpstreamAgent extends http.Agent {
  constructor(private readonly upstream: UpstreamOptions) {
    super({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: upstream.timeoutMs });
  }

  override getName(options: http.ClientRequestArgs = {}): string {
    return `${super.getName(options)}${options.lookup ? ':guarded' : ''}`;
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    const host = options.host ?? 'localhost';
    const target = this.upstream.resolve.lookup(host, Number(options.port));
    if (!this.upstream.upstreamProxy) {
      const socket = net.connect({ host: target.host, port: target.port, lookup: options.lookup });
      socket.setNoDelay(true);
      return socket;
    }
    connectThroughProxy(
      this.upstream.upstreamProxy,
      { host, port: Number(options.port) },
      this.upstream.timeoutMs,
    )
      .then((raw) => callback?.(null, raw))
      .catch((err: Error) => failed(callback, err));
    return undefined;
  }
}

/** Sockets an agent's pool holds (in use or idle, kept for reuse). */
export function pooledSockets(agent: http.Agent): number {
  let n = 0;
  for (const list of Object.values(agent.sockets)) n += list?.length ?? 0;
  for (const list of Object.values(agent.freeSockets)) n += list?.length ?? 0;
  return n;
}
