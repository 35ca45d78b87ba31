import { basicCredentialsMatch } from '../proxy/proxy-auth';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Who may talk to the page. A page on another site can make a browser send requests here, and by
 * resolving its own name to 127.0.0.1 (DNS rebinding) even look same-origin. A browser's `Host` is
 * the host of the page's origin: the data endpoints answer only when it is an IP literal or
 * `localhost` (what a person types for the proxy; no site can take those names), and the browser
 * says the request comes from the page itself. The port is not compared: behind a container's
 * port mapping the browser's port is not the one the proxy listens on.
 */

const unbracket = (host: string) => host.replace(/^\[|\]$/g, '');

/** `Host` names the proxy by address (or `localhost`), not by a name someone else controls. */
export function hostIsOwn(req: IncomingMessage, ownNames: readonly string[] = []): boolean {
  const header = req.headers.host;
  if (!header) return false;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/') return false;
  const name = unbracket(url.hostname).toLowerCase();
  return name === 'localhost' || isIP(name) !== 0 || ownNames.includes(name);
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
  const expected = Buffer.from(userPass);
  // The same check as the proxy's own (any case of "Basic", credentials compared decoded).
  return (req) => basicCredentialsMatch(req.headers.authorization, expected);
}
