import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type net from 'node:net';
import type { Scope } from '../model/exchange';
import type { HostPort } from './connect-target';
import type { TunnelInfo } from './connect-front-door';
import { isLocalClient } from './exposure';
import type { UpstreamTarget } from './upstream-call';

/** A request the proxy relays: where it goes, and what the proxy knows of its origin. */
export interface Route extends UpstreamTarget {
  /** Set when the host is intercepted (decrypted and captured). */
  readonly scope?: Scope;
  /** The CONNECT tunnel it came through (decrypted requests only). */
  readonly tunnel?: TunnelInfo;
}

/** What to do with one request on the proxy's listener (or inside an intercepted tunnel). */
export type Routing =
  /** Addressed to the proxy itself: health, CA download, help, the local routes. */
  | { readonly kind: 'local'; readonly path: string }
  /** Refused here with a short answer. */
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: OutgoingHttpHeaders;
      readonly text: string;
    }
  /** Relayed upstream; `checkDestination`: the exposure rules must clear the target first. */
  | { readonly kind: 'relay'; readonly route: Route; readonly checkDestination: boolean };

/** What routing needs from the proxy (passed in, so it is tested without sockets). */
export interface RoutingDeps {
  tunnelOf(socket: net.Socket): TunnelInfo | undefined;
  /** The request target as the client sent it (the library rewrites absolute-form URLs). */
  originalUrl(req: IncomingMessage): string | undefined;
  isSelf(target: HostPort): boolean;
  authorized(headers: IncomingHttpHeaders): boolean;
  scopeOf(host: string): Scope | undefined;
  /** Whether clients that are not local may reach private destinations (`allowPrivate`). */
  readonly destinations: { readonly allowPrivate: boolean };
}

const TEXT = 'text/plain; charset=utf-8';
const LOST_TUNNEL: Routing = {
  kind: 'answer',
  status: 500,
  headers: { 'content-type': 'text/plain' },
  text: 'appinsights-auth-proxy: lost the tunnel of this request\n',
};
const MALFORMED: Routing = {
  kind: 'answer',
  status: 400,
  headers: { 'content-type': TEXT },
  text: 'appinsights-auth-proxy: malformed request target\n',
};
const AUTH_REQUIRED: Routing = {
  kind: 'answer',
  status: 407,
  headers: { 'proxy-authenticate': 'Basic realm="appinsights-auth-proxy"', 'content-type': TEXT },
  text: 'appinsights-auth-proxy: proxy authentication required\n',
};

/**
 * Decides where a request goes. Inside an intercepted tunnel the CONNECT line says where the
 * client meant to go (the Host header is not trusted for routing). On the listener, origin-form
 * targets are for the proxy itself; absolute-form ones are relayed once the client is
 * authorised, and checked against the exposure rules when the client is not local.
 */
export function routeRequest(req: IncomingMessage, viaTunnel: boolean, deps: RoutingDeps): Routing {
  if (viaTunnel) {
    const tunnel = deps.tunnelOf(req.socket);
    if (!tunnel) return LOST_TUNNEL;
    const route: Route = {
      scheme: 'https',
      target: tunnel.target,
      path: req.url ?? '/',
      scope: tunnel.scope,
      tunnel,
      local: tunnel.local,
    };
    return { kind: 'relay', route, checkDestination: false };
  }
  const original = deps.originalUrl(req) ?? req.url ?? '/';
  if (original.startsWith('/') || original === '*') return { kind: 'local', path: original };
  let url: URL;
  try {
    url = new URL(original);
  } catch {
    return MALFORMED;
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const target = {
    host: url.hostname.replace(/^\[|\]$/g, '').toLowerCase(),
    port: Number(url.port || (scheme === 'https' ? 443 : 80)),
  };
  const path = `${url.pathname}${url.search}`;
  if (deps.isSelf(target)) return { kind: 'local', path };
  if (!deps.authorized(req.headers)) return AUTH_REQUIRED;
  const local = isLocalClient(req.socket.remoteAddress);
  const route: Route = { scheme, target, path, scope: deps.scopeOf(target.host), local, authority: url.host };
  return { kind: 'relay', route, checkDestination: !local && !deps.destinations.allowPrivate };
}
