import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { ErrorCallback, IContext } from 'http-mitm-proxy';
import { formatHostPort } from './connect-target';
import { headersAsSent } from './headers-as-sent';
import { type CaptureDeps, ExchangeCapture } from './exchange-capture';
import { type DestinationPolicy, refusedDestination } from './exposure';
import { nextExchangeId, requestOpening } from './live-exchange';
import { dropUnwritableHeaders, printable, safeReasonPhrase } from './peer-values';
import type { ResolveMap } from './resolve-map';
import type { Route } from './request-routing';
import {
  aimUpstream,
  answerUpstreamFailure,
  exchangeErrorOf,
  isClientSideError,
  type UpstreamDeps,
  upstreamFailure,
  upstreamStalled,
} from './upstream-call';

export type Notice = { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown };

/** What every relayed request shares (built once by the proxy, passed to each state). */
export interface RelayDeps {
  readonly upstream: UpstreamDeps;
  /** Undefined when capture is off (relay only). */
  readonly capture?: CaptureDeps;
  /** To say where a captured exchange was sent (--resolve, upstream proxy). */
  readonly resolve: ResolveMap;
  readonly upstreamProxy?: URL;
  readonly counters: { exchanges: number };
  notice(n: Notice): void;
}

function onUpstreamTimeout(state: RelayState): void {
  state.upstreamTimedOut();
}

const UNEXPECTED_UPGRADE = 'upstream switched protocols (101) on a request that asked for no upgrade';

/**
 * Everything the relay knows about one request on http-mitm-proxy's hooks, in one typed object
 * created once per request: its route, the upstream timer, whether the client went away, and
 * its capture when the host is intercepted. The library's hooks call its methods.
 */
export class RelayState {
  private route?: Route;
  private capture?: ExchangeCapture;
  private timer?: NodeJS.Timeout;
  private timedOut = false;
  private stalledMs?: number;
  private aborted = false;

  constructor(
    private readonly ctx: IContext,
    private readonly deps: RelayDeps,
  ) {}

  /** Sets up the upstream request and its capture, then lets the library build and send it. */
  relay(route: Route, cb: ErrorCallback): void {
    const { ctx, deps } = this;
    const req = ctx.clientToProxyRequest;
    this.route = route;
    // Repeated headers go as arrays (one line each): http.request takes them, the library's type
    // does not say so.
    const headers = headersAsSent(req.rawHeaders, 'request');
    ctx.proxyToServerRequestOptions!.headers = headers as Record<string, string>;
    aimUpstream(ctx.proxyToServerRequestOptions!, route, deps.upstream);
    // The upstream's silence until the response head; a plain timer (no AbortController per
    // request). The client's upload restarts it (refresh() is cheap): a slow upload is not the
    // upstream's delay, and a stalled one (the upstream stopped reading) still times out.
    this.timer = setTimeout(onUpstreamTimeout, deps.upstream.timeoutMs, this);
    // 'close' comes once per response: on() spares once()'s wrapper.
    ctx.proxyToClientResponse.on('close', () => this.clientClosed());
    if (route.scope && deps.capture) {
      const capture = new ExchangeCapture(
        nextExchangeId(),
        requestOpening(route, route.scope, req, deps),
        deps.capture,
      );
      this.capture = capture;
      req.on('data', (chunk: Buffer) => {
        this.timer?.refresh();
        capture.requestData(chunk);
      });
    } else req.on('data', () => this.timer?.refresh());
    req.on('end', () => this.timer?.refresh());
    deps.counters.exchanges += 1;
    // The library builds the upstream request right after this callback, synchronously: a value
    // from the client that http.request() refuses becomes a 400 for this request, not a crash.
    try {
      cb();
      // A 101 the client never asked for (upgrades do not come this way): Node would leave the
      // request hanging until the timeout; answer 502 at once.
      ctx.proxyToServerRequest?.on('upgrade', (_res: IncomingMessage, upstreamSocket: net.Socket) => {
        upstreamSocket.destroy();
        const err = Object.assign(new Error(UNEXPECTED_UPGRADE), { code: 'UPSTREAM_UNEXPECTED_UPGRADE' });
        this.libraryError('PROXY_TO_SERVER_REQUEST_ERROR', err);
      });
    } catch (err) {
      this.stopTimer();
      deps.notice({
        level: 'warn',
        msg: 'request refused: a value in it cannot be sent upstream (400)',
        target: formatHostPort(route.target),
        error: printable((err as Error).message),
      });
      const res = ctx.proxyToClientResponse;
      if (!res.headersSent) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end('appinsights-auth-proxy: the request holds a value that cannot be sent upstream\n');
      }
    }
  }

  /** A client that is not local: the exposure rules clear the destination first (else 403). */
  relayIfAllowed(route: Route, destinations: DestinationPolicy, cb: ErrorCallback): void {
    refusedDestination(route.target, route.local, destinations).then(
      (refused) => {
        if (!refused) {
          this.relay(route, cb);
          return;
        }
        this.deps.notice({
          level: 'warn',
          msg: 'refused a request to a private destination (403)',
          target: formatHostPort(route.target),
          client: this.ctx.clientToProxyRequest.socket.remoteAddress,
        });
        const res = this.ctx.proxyToClientResponse;
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`appinsights-auth-proxy: ${refused.message}\n`);
      },
      (err: Error) => cb(err),
    );
  }

  /** The client's connection went quiet this long while the upstream's answer was under way. */
  upstreamStalled(ms: number): void {
    this.stalledMs = ms;
    this.ctx.proxyToServerRequest?.destroy(new Error('upstream stalled'));
  }

  upstreamTimedOut(): void {
    this.timedOut = true;
    this.ctx.proxyToServerRequest?.destroy(new Error('upstream timeout'));
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined; // never refreshed again (a late upload chunk would re-arm it)
  }

  /** The client's response closed: finished, or the client went away (then abort upstream). */
  private clientClosed(): void {
    this.stopTimer();
    if (!this.ctx.proxyToClientResponse.writableFinished) {
      this.aborted = true;
      this.capture?.clientAborted();
      this.ctx.proxyToServerRequest?.destroy();
    }
    this.capture?.finish();
  }

  /** The upstream's response head arrived (before the library relays it). */
  responseArrived(cb: ErrorCallback): void {
    this.stopTimer();
    const capture = this.capture;
    const upstreamRes = this.ctx.serverToProxyResponse;
    if (capture && upstreamRes) {
      capture.responseStarted(upstreamRes);
      upstreamRes.on('data', (chunk: Buffer) => capture.responseData(chunk));
    }
    cb();
  }

  /** Just before the library writes the response head to the client. */
  responseHeaders(cb: ErrorCallback): void {
    const upstreamRes = this.ctx.serverToProxyResponse!;
    // Keep the service's own reason phrase ("Authentication not supported" matters to SDKs),
    // unless it holds bytes Node cannot write (a hostile upstream would crash the write).
    const { reason, replaced } = safeReasonPhrase(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage);
    this.ctx.proxyToClientResponse.statusMessage = reason;
    // The upstream's header lines as sent (spelling, repeats), without framing and connection
    // management: those are per hop, Node sets them for the client's connection. No Date of
    // our own either: the client gets the upstream's, or none when it sent none.
    upstreamRes.headers = headersAsSent(upstreamRes.rawHeaders, 'response');
    this.ctx.proxyToClientResponse.sendDate = false;
    const dropped = dropUnwritableHeaders(upstreamRes.headers);
    if (replaced || dropped.length > 0) {
      this.deps.notice({
        level: 'warn',
        msg: 'upstream response held bytes that cannot be relayed; sanitised',
        upstream: formatHostPort(this.route?.target ?? { host: '?', port: 0 }),
        ...(replaced ? { reasonPhrase: printable(upstreamRes.statusMessage ?? '') } : {}),
        ...(dropped.length > 0 ? { droppedHeaders: dropped } : {}),
      });
    }
    // The library writes the head right after this callback, synchronously: a throw there (any
    // value we did not foresee) must become a 502 for this exchange, not an uncaught exception.
    try {
      cb();
    } catch (err) {
      this.libraryError('PEER_VALUE_ERROR', err as Error);
    }
  }

  /** Every error the library reports for this request: upstream failures become 502/504 answers. */
  libraryError(kind: string, err: Error): void {
    this.stopTimer();
    const ctx = this.ctx;
    if (isClientSideError(kind) || this.aborted) {
      this.aborted = true;
      this.capture?.clientAborted();
      ctx.proxyToServerRequest?.destroy();
      return;
    }
    // Bytes after a complete answer (junk on the connection): the answer is whole and is relayed,
    // as a direct client would take it; the connection is dropped, and the log says why.
    if (ctx.serverToProxyResponse?.complete && !this.timedOut && this.stalledMs === undefined) {
      this.deps.notice({
        level: 'warn',
        msg: 'upstream sent bytes after a complete response; the response was relayed, the bytes dropped',
        upstream: formatHostPort(this.route?.target ?? { host: '?', port: 0 }),
        error: printable(err.message),
      });
      return;
    }
    const failure =
      this.stalledMs === undefined
        ? upstreamFailure(err, this.timedOut, this.deps.upstream.timeoutMs)
        : upstreamStalled(this.stalledMs);
    this.capture?.failed(exchangeErrorOf(failure));
    answerUpstreamFailure(ctx.proxyToClientResponse, failure);
    ctx.proxyToServerRequest?.destroy();
  }
}
