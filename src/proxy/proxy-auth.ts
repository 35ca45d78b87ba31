import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Checks `Proxy-Authorization: Basic` against --proxy-auth USER:PASS (constant-time compare). */
export function makeProxyAuthCheck(userPass: string | undefined): (headers: IncomingHttpHeaders) => boolean {
  if (!userPass) return () => true;
  const expected = Buffer.from(`Basic ${Buffer.from(userPass).toString('base64')}`);
  return (headers) => {
    const given = headers['proxy-authorization'];
    if (typeof given !== 'string') return false;
    const actual = Buffer.from(given.trim());
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
}

const AUTH_REQUIRED_BODY = 'appinsights-auth-proxy: proxy authentication required\n';

/** Raw 407 for CONNECT sockets (plain requests use the same status through ServerResponse). */
export const PROXY_AUTH_REQUIRED =
  'HTTP/1.1 407 Proxy Authentication Required\r\n' +
  'Proxy-Authenticate: Basic realm="appinsights-auth-proxy"\r\n' +
  `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${AUTH_REQUIRED_BODY.length}\r\nConnection: close\r\n\r\n` +
  AUTH_REQUIRED_BODY;
