import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FakeRequest } from './exchange-types';

export class BodyTooLargeError extends Error {}

/** Reads a body up to `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume(); // drain without keeping
        reject(new BodyTooLargeError(`body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Host header without the port (IPv6 brackets kept off), else the TLS SNI name. */
export function hostOf(req: IncomingMessage): string {
  const header = req.headers.host?.trim().toLowerCase();
  if (header) {
    if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
    return header.replace(/:\d+$/, '');
  }
  const sni = (req.socket as TLSSocket).servername;
  return typeof sni === 'string' ? sni.toLowerCase() : '';
}

/** Splits the request target by hand: `new URL('//v2.1/track', base)` would read `v2.1` as a host. */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  let rest = target;
  const absolute = /^https?:\/\/[^/]+/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || '/';
  const q = rest.indexOf('?');
  return q === -1
    ? { path: rest, query: new URLSearchParams() }
    : { path: rest.slice(0, q), query: new URLSearchParams(rest.slice(q + 1)) };
}

export function fakeRequestOf(req: IncomingMessage, body: Buffer, secure: boolean): FakeRequest {
  const { path, query } = splitTarget(req.url ?? '/');
  return { method: req.method ?? 'GET', host: hostOf(req), path, query, headers: req.headers, body, secure };
}
