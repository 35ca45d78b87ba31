import http from 'node:http';
import net from 'node:net';
import { formatHostPort, type HostPort } from './connect-target';
import { printable } from './peer-values';

/** Opens a raw TCP tunnel to `target` through an HTTP proxy (CONNECT), for corporate egress proxies. */
export function connectThroughProxy(proxyUrl: URL, target: HostPort, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: formatHostPort(target) };
    if (proxyUrl.username) {
      const user = decodeURIComponent(proxyUrl.username);
      const pass = decodeURIComponent(proxyUrl.password);
      headers['proxy-authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    const req = http.request({
      host: proxyUrl.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxyUrl.port || 80),
      method: 'CONNECT',
      path: formatHostPort(target),
      headers,
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        const err = Object.assign(
          new Error(
            // The reason phrase is the peer's text: shown escaped (it ends up in a 502 body and the log).
            `upstream proxy answered CONNECT with ${res.statusCode} ${printable(res.statusMessage ?? '')}`.trim() +
              (res.statusCode === 407 ? authHint(proxyUrl) : ''),
          ),
          { code: 'UPSTREAM_PROXY_REFUSED' },
        );
        reject(err);
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('timeout', () =>
      req.destroy(Object.assign(new Error('upstream proxy timed out'), { code: 'ETIMEDOUT' })),
    );
    // Said as the upstream proxy's failure: a bare "socket hang up" read as the service's.
    req.once('error', (err) =>
      reject(
        Object.assign(err, {
          viaProxy: proxyUrl.host,
          message: `upstream proxy ${proxyUrl.host}: ${err.message}`,
        }),
      ),
    );
    req.end();
  });
}

/** A 407 is about our --upstream-proxy credentials: say which case it is (never the credentials). */
function authHint(proxyUrl: URL): string {
  return proxyUrl.username
    ? ': it refused the user and password in --upstream-proxy (check them; percent-encode @ : % / in them)'
    : ': it wants credentials, and --upstream-proxy has none (http://USER:PASS@host:port)';
}
