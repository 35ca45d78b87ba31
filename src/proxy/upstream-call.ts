import type http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import type { ExchangeError } from '../model/exchange';
import type { HostPort } from './connect-target';
import { classifyUpstreamError } from './error-kind';
import type { guardedLookup } from './exposure';
import { stripHopByHop } from './hop-by-hop';

/** What the upstream call needs from the proxy (passed in; no listener state). */
export interface UpstreamDeps {
  readonly httpsAgent: http.Agent;
  readonly httpAgent: http.Agent;
  /** From the request's start to the response head, at most. */
  readonly timeoutMs: number;
  /** The guarded DNS lookup for a client that is not local, or undefined. */
  readonly guardFor: (local: boolean) => typeof guardedLookup | undefined;
}

/** Where one relayed request goes. */
export interface UpstreamTarget {
  readonly scheme: 'https' | 'http';
  readonly target: HostPort;
  readonly path: string;
  /** The client connected from a loopback address (no destination guard needed). */
  readonly local: boolean;
  /** Absolute-form requests only: the target's authority, sent as Host (RFC 9112 §3.2.2). */
  readonly authority?: string;
}

/** The library's options for the upstream request, with the two fields it does not declare. */
export interface UpstreamRequestOptions {
  host: string;
  port: string | number | null | undefined;
  path: string;
  headers: Record<string, string>;
  agent: http.Agent;
  servername?: string;
  lookup?: typeof guardedLookup;
}

/** Points the library's upstream request at the route's target, through our agents. */
export function aimUpstream(options: UpstreamRequestOptions, to: UpstreamTarget, deps: UpstreamDeps): void {
  options.host = to.target.host;
  options.port = to.target.port;
  options.path = to.path;
  options.agent = to.scheme === 'https' ? deps.httpsAgent : deps.httpAgent;
  if (to.scheme === 'https') options.servername = to.target.host;
  const lookup = deps.guardFor(to.local);
  if (lookup) options.lookup = lookup;
  stripHopByHop(options.headers, true);
  // An absolute-form request goes where its URL says: a Host that disagrees (or none) is replaced,
  // so the service gets the host the proxy connects to and logs.
  if (to.authority !== undefined) {
    for (const name of Object.keys(options.headers))
      if (name.toLowerCase() === 'host') delete options.headers[name];
    options.headers.host = to.authority;
  }
}

/** An upstream failure: what the exchange records and what the client is answered. */
export type UpstreamFailure = ExchangeError & { status: 502 | 504 };

/** Maps an upstream error (or our own timeout) to the exchange's error and the answer's status. */
export function upstreamFailure(err: Error, timedOut: boolean, timeoutMs: number): UpstreamFailure {
  if (timedOut) {
    return {
      kind: 'UPSTREAM_TIMEOUT',
      message: `no response from upstream within ${timeoutMs} ms`,
      code: 'UPSTREAM_TIMEOUT',
      status: 504,
    };
  }
  return classifyUpstreamError(err as NodeJS.ErrnoException);
}

/** The upstream went quiet in the middle of its answer for the whole idle time (--idle-timeout). */
export function upstreamStalled(ms: number): UpstreamFailure {
  return {
    kind: 'UPSTREAM_TIMEOUT',
    message: `the upstream sent nothing for ${ms} ms in the middle of its answer (--idle-timeout)`,
    code: 'UPSTREAM_STALLED',
    status: 504,
  };
}

/** The exchange's error, without the answer's status. */
export function exchangeErrorOf(failure: UpstreamFailure): ExchangeError {
  const { status: _status, ...error } = failure;
  return error;
}

/** The part of the client's response an upstream failure touches (a ServerResponse). */
export interface ClientResponse {
  readonly headersSent: boolean;
  writeHead(status: number, reason: string, headers: OutgoingHttpHeaders): unknown;
  end(body: string): unknown;
  destroy(): unknown;
}

/**
 * Tells the client: a 502/504 with the failure's kind when no head was sent yet; otherwise cuts
 * the connection, so a failure mid-body shows as a truncated body, never as a clean end.
 */
export function answerUpstreamFailure(res: ClientResponse, failure: UpstreamFailure): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `appinsights-auth-proxy: ${failure.kind}: ${failure.message}\n`;
  res.writeHead(failure.status, failure.status === 504 ? 'Gateway Timeout' : 'Bad Gateway', {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-appinsights-auth-proxy-error': failure.kind,
  });
  res.end(body);
}

/** Library error kinds that mean the client's side failed (nothing to answer; abort upstream). */
export function isClientSideError(kind: string): boolean {
  return kind === 'CLIENT_TO_PROXY_REQUEST_ERROR' || kind === 'PROXY_TO_CLIENT_RESPONSE_ERROR';
}
