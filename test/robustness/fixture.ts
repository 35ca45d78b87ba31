import { readdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { createCa } from '../../src/certs/ca';
import { LeafIssuer } from '../../src/certs/leaf-issuer';
import type { RunProxyOptions } from '../../src/cli/run-proxy';
import { httpsViaProxy, type ProxiedResponse } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { sha256, startUpstream, type TestUpstream } from '../helpers/upstream';

export const HOST = 'westus-0.in.applicationinsights.azure.com';

export interface Fixture {
  upstream: TestUpstream;
  proxy: TestProxy;
  upstreamCaFile: string;
  /** A normal telemetry POST through a fresh tunnel; resolves with the response. */
  post(body?: string, host?: string): Promise<ProxiedResponse>;
  /** Asserts the proxy still serves a normal request correctly. */
  expectHealthy(): Promise<void>;
  close(): Promise<void>;
}

/** A local upstream reached by a real Azure name through the proxy (in-process, loopback only). */
export async function startFixture(
  overrides: Partial<RunProxyOptions> = {},
  names: string[] = [HOST],
  cleanups: (() => Promise<void> | void)[] = [],
): Promise<Fixture> {
  const tmp = tempDir('aiproxy-robust-');
  const upstream = await startUpstream(names);
  const upstreamCaFile = path.join(tmp.dir, 'upstream-ca.pem');
  writeFileSync(upstreamCaFile, upstream.caPem);
  const proxy = await startTestProxy({
    upstreamTimeout: 2000,
    idleTimeout: 5000,
    ...overrides,
    resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`, ...(overrides.resolve ?? [])],
    upstreamCa: [upstreamCaFile, ...(overrides.upstreamCa ?? [])],
  });
  const post = (body = '[{"name":"ok"}]', host = HOST) =>
    withTimeout(
      httpsViaProxy({
        proxyPort: proxy.port,
        host,
        path: '/v2.1/track',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        ca: proxy.caPem,
      }),
      8000,
      'request through the proxy',
    );
  return {
    upstream,
    proxy,
    upstreamCaFile,
    post,
    async expectHealthy() {
      const body = `[{"name":"healthy","n":${Math.random()}}]`;
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString()).sha256).toBe(sha256(body));
    },
    async close() {
      await proxy.close();
      await upstream.close();
      tmp.cleanup();
      for (const f of cleanups) await f();
    },
  };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Polls `check` every 20 ms until it is true or `ms` elapse; returns the last result. */
export async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return check();
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

export function defaultEcho(
  _req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  body: Buffer,
): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(
    JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [], sha256: sha256(body) }),
  );
}

export interface RawUpstream {
  port: number;
  caPem: string;
  /** Every request as it arrived, with how it ended. */
  requests: { url: string; completed: boolean; closed: boolean }[];
  openSockets(): number;
  close(): Promise<void>;
}

/**
 * An HTTPS upstream whose handler sees the request as it arrives (not only at its end), for
 * faults: stalls, resets, slow or endless bodies. Its certificate is issued for `certName`.
 */
export async function startRawUpstream(
  certName: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<RawUpstream> {
  const tmp = tempDir('aiproxy-raw-upstream-');
  const ca = await createCa(tmp.dir);
  const issuer = await LeafIssuer.create(ca);
  const sockets = new Set<net.Socket>();
  const requests: RawUpstream['requests'] = [];
  const server = https.createServer(
    { key: issuer.leafKeyPem, cert: issuer.issuePem(certName) },
    (req, res) => {
      const note = { url: req.url ?? '', completed: false, closed: false };
      requests.push(note);
      req.on('end', () => (note.completed = true));
      res.on('close', () => (note.closed = true));
      handler(req, res);
    },
  );
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    caPem: ca.certPem,
    requests,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          tmp.cleanup();
          resolve();
        });
      }),
  };
}
