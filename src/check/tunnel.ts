import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { withoutCredentials } from '../ingestion/redact';

/** The proxy of --via: host and port of an http:// URL (https proxies are not supported here). */
export interface ProxyAddress {
  host: string;
  port: number;
  /** http://host:port, without credentials (what may be printed). */
  url: string;
  /** From http://user:pass@host:port (a proxy started with --proxy-auth). */
  username?: string;
  password?: string;
}

export function parseVia(via: string): ProxyAddress {
  let url: URL;
  try {
    url = new URL(via);
  } catch {
    throw new Error(`--via "${withoutCredentials(via)}" is not a URL like http://127.0.0.1:8888`);
  }
  if (url.protocol !== 'http:') throw new Error(`--via must be an http:// proxy URL, got ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const address: ProxyAddress = { host, port: Number(url.port || 80), url: `http://${url.host}` };
  if (url.username) {
    address.username = decodeURIComponent(url.username);
    address.password = decodeURIComponent(url.password);
  }
  return address;
}

/**
 * A raw TCP connection to host:port, directly or through a CONNECT tunnel of the proxy. Resolves
 * once bytes can flow (the tunnel's 200), rejects with the proxy's status otherwise.
 */
export function openConnection(
  host: string,
  port: number,
  via: ProxyAddress | undefined,
  timeoutMs: number,
): Promise<{ socket: Duplex; remoteAddress?: string }> {
  return new Promise((resolve, reject) => {
    if (!via) {
      const socket = net.connect({ host, port });
      socket.setTimeout(timeoutMs, () =>
        socket.destroy(new Error(`TCP connect to ${host}:${port} timed out`)),
      );
      socket.once('connect', () => {
        socket.setTimeout(0);
        resolve({ socket, remoteAddress: socket.remoteAddress });
      });
      socket.once('error', reject);
      return;
    }
    const req = http.request({
      host: via.host,
      port: via.port,
      method: 'CONNECT',
      path: `${host.includes(':') ? `[${host}]` : host}:${port}`,
      headers: {
        host: `${host}:${port}`,
        ...(via.username !== undefined
          ? {
              'proxy-authorization': `Basic ${Buffer.from(`${via.username}:${via.password ?? ''}`).toString('base64')}`,
            }
          : {}),
      },
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new Error(
            `the proxy ${via.url} answered CONNECT ${host}:${port} with ${res.statusCode} ${res.statusMessage ?? ''}`.trim(),
          ),
        );
        return;
      }
      resolve({ socket });
    });
    req.once('timeout', () =>
      req.destroy(new Error(`the proxy ${via.url} did not answer CONNECT within ${timeoutMs} ms`)),
    );
    req.once('error', reject);
    req.end();
  });
}
