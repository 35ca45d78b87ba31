import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Checks `Proxy-Authorization: Basic <base64 USER:PASS>` against --proxy-auth USER:PASS. The
 * scheme name is case-insensitive (RFC 7235: "basic", "BASIC" are the same scheme); the
 * credentials are compared decoded and in constant time.
 */
export function makeProxyAuthCheck(userPass: string | undefined): (headers: IncomingHttpHeaders) => boolean {
  if (!userPass) return () => true;
  const expected = Buffer.from(userPass);
  return (headers) => basicCredentialsMatch(headers['proxy-authorization'], expected);
}

/** `Basic <base64 USER:PASS>` (any case of the scheme) holding exactly `expected`, compared in constant time. */
export function basicCredentialsMatch(given: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string') return false;
  const m = /^\s*basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(given);
  if (!m) return false;
  const actual = Buffer.from(m[1]!, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const AUTH_REQUIRED_BODY = 'appinsights-auth-proxy: proxy authentication required\n';

/** Raw 407 for CONNECT sockets (plain requests use the same status through ServerResponse). */
export const PROXY_AUTH_REQUIRED =
  'HTTP/1.1 407 Proxy Authentication Required\r\n' +
  'Proxy-Authenticate: Basic realm="appinsights-auth-proxy"\r\n' +
  `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${AUTH_REQUIRED_BODY.length}\r\nConnection: close\r\n\r\n` +
  AUTH_REQUIRED_BODY;
