import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Who may talk to the page. A page on another site can make a browser send requests here (and,
 * by resolving its own name to 127.0.0.1, even look same-origin): the data endpoints answer only
 * when the `Host` names the address the connection actually arrived at, and the browser says the
 * request comes from the page itself.
 */

const unbracket = (host: string) => host.replace(/^\[|\]$/g, '');
const plainAddress = (address: string | undefined) => (address ?? '').replace(/^::ffff:/, '').toLowerCase();

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/** `Host` is this connection's own address (an IP literal, or `localhost` on loopback) and port. */
export function hostIsOwn(req: IncomingMessage): boolean {
  const header = req.headers.host;
  if (!header) return false;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/') return false;
  if ((url.port || '80') !== String(req.socket.localPort)) return false;
  const name = unbracket(url.hostname).toLowerCase();
  const local = plainAddress(req.socket.localAddress);
  if (name === 'localhost') return isLoopback(local);
  return isIP(name) !== 0 && plainAddress(name) === local;
}

/** The browser's own word on where the request comes from: the page itself, or typed by a person. */
export function fromOwnPage(req: IncomingMessage, allowNavigation: boolean): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) return false;
  const site = req.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin') return true;
  return allowNavigation && (site === 'none' || req.headers['sec-fetch-mode'] === 'navigate');
}

/** HTTP Basic with the --proxy-auth USER:PASS (a browser talks to the page as to a web server). */
export function makeBasicAuthCheck(userPass: string | undefined): (req: IncomingMessage) => boolean {
  if (!userPass) return () => true;
  const expected = Buffer.from(`Basic ${Buffer.from(userPass).toString('base64')}`);
  return (req) => {
    const given = req.headers.authorization;
    if (typeof given !== 'string') return false;
    const actual = Buffer.from(given.trim());
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
}
