import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ExchangeError, Scope } from '../model/exchange';
import type { BodyTap } from './body-tap';
import { headersWithRepeats, type RecordedHeaders } from './headers-as-sent';
import { formatHostPort, type HostPort } from './connect-target';
import type { Route } from './request-routing';
import type { ResolveMap } from './resolve-map';

/** What is known of an exchange when its request head arrives (or its TLS handshake begins). */
export interface LiveOpening {
  readonly client: { readonly address: string; readonly port?: number };
  readonly connect?: { readonly target: string; readonly httpVersion: string };
  readonly scope: Scope;
  readonly method: string;
  /** Where the request goes: scheme, host, port and path-with-query (unredacted until recorded). */
  readonly scheme: 'https' | 'http';
  readonly target: HostPort;
  readonly path: string;
  readonly httpVersion: string;
  readonly requestHeaders: RecordedHeaders;
  readonly upstream?: { readonly address: string; readonly viaProxy?: string };
}

/** The upstream's response head, as it arrived. */
export interface LiveResponse {
  readonly status: number;
  readonly reason: string;
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
  /** Epoch milliseconds when the head arrived. */
  readonly at: number;
}

/** How the exchange went: everything the relay learnt after the opening. */
export interface LiveOutcome {
  readonly requestBody?: BodyTap;
  readonly response?: LiveResponse;
  readonly responseBody?: BodyTap;
  readonly end?: number;
  readonly error?: ExchangeError;
}

/**
 * The relay's raw notes about one finished exchange: cheap, never logged, handed to the
 * pipeline which turns them into the redacted `Exchange` (record-exchange.ts).
 */
export interface LiveExchange extends LiveOpening, LiveOutcome {
  readonly id: string;
  readonly start: number;
}

/**
 * The one constructor of the live record. The capture (exchange-capture.ts) and the CONNECT
 * front door's handshake failures both go through it, so every record has the same shape.
 */
export function liveExchange(
  id: string,
  start: number,
  opening: LiveOpening,
  outcome: LiveOutcome,
): LiveExchange {
  return {
    id,
    start,
    client: opening.client,
    connect: opening.connect,
    scope: opening.scope,
    method: opening.method,
    scheme: opening.scheme,
    target: opening.target,
    path: opening.path,
    httpVersion: opening.httpVersion,
    requestHeaders: opening.requestHeaders,
    upstream: opening.upstream,
    requestBody: outcome.requestBody,
    response: outcome.response,
    responseBody: outcome.responseBody,
    end: outcome.end,
    error: outcome.error,
  };
}

let counter = 0;
const prefix = Math.floor(Math.random() * 36 ** 4)
  .toString(36)
  .padStart(4, '0');

/** Short, unique within a run, sortable by arrival. */
export function nextExchangeId(): string {
  counter += 1;
  return `${prefix}-${counter.toString(36).padStart(5, '0')}`;
}

/** What the capture notes when a relayed request's head arrives. */
export function requestOpening(
  route: Route,
  scope: Scope,
  req: IncomingMessage,
  deps: { upstreamProxy?: URL; resolve: ResolveMap },
): LiveOpening {
  const { target } = route;
  return {
    client: route.tunnel?.client ?? { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort },
    connect: route.tunnel?.connect,
    scope,
    method: req.method ?? 'GET',
    scheme: route.scheme,
    target,
    path: route.path,
    httpVersion: req.httpVersion,
    requestHeaders: headersWithRepeats(req.headers, req.rawHeaders),
    upstream: deps.upstreamProxy
      ? { address: formatHostPort(target), viaProxy: deps.upstreamProxy.host }
      : { address: formatHostPort(deps.resolve.lookup(target.host, target.port)) },
  };
}
