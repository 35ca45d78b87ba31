import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type tls from 'node:tls';
import { createCa } from '../../src/certs/ca';
import type { LeafIssuer } from '../../src/certs/leaf-issuer';
import { connectTunnel, httpsViaProxy, tlsThroughProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const REJECTING = 'eastus-8.in.applicationinsights.azure.com';
const REFUSED = 'northeurope-2.in.applicationinsights.azure.com';

/** Polls (bounded) until `check` holds; returns whether it did. */
async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  return check();
}

/** One POST on a tunnel that is already open and secure. */
function postOn(socket: tls.TLSSocket, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        createConnection: () => socket,
        host,
        path: '/v2.1/track',
        method: 'POST',
        headers: { host, connection: 'close', 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end('[]');
  });
}

describe('the upstream connection is opened while the client handshakes with the proxy', () => {
  let upstream: TestUpstream;
  let proxy: TestProxy;
  const tmp = tempDir();

  beforeAll(async () => {
    upstream = await startUpstream([HOST, REJECTING]);
    const upstreamCaFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCaFile, upstream.caPem);
    proxy = await startTestProxy({
      resolve: [
        `${HOST}:443=127.0.0.1:${upstream.port}`,
        `${REJECTING}:443=127.0.0.1:${upstream.port}`,
        // Nothing listens on port 9 of loopback (discard): the connection is refused.
        `${REFUSED}:443=127.0.0.1:9`,
      ],
      upstreamCa: [upstreamCaFile],
    });
  });
  /** One telemetry POST through a fresh tunnel (the exporter's pattern). */
  const track = (host: string) =>
    httpsViaProxy({
      proxyPort: proxy.port,
      host,
      path: '/v2.1/track',
      method: 'POST',
      body: '[]',
      ca: proxy.caPem,
    });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('makes the leaf for the host right after the CONNECT, before the client sends its ClientHello', async () => {
    // The issuer is the proxy's own (private); its cache count is the observable effect.
    const issuer = (proxy.running.server as unknown as { issuer: LeafIssuer }).issuer;
    const before = issuer.cachedHosts;
    const socket = await connectTunnel(proxy.port, 'centralus-3.in.applicationinsights.azure.com:443');
    try {
      expect(await eventually(() => issuer.cachedHosts === before + 1, 5000)).toBe(true);
    } finally {
      socket.destroy();
    }
  });

  it('connects upstream before the request arrives, and the request then uses that connection', async () => {
    const before = upstream.tlsConnections;
    const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
    // The client is secure and has sent nothing: the proxy has already connected upstream.
    expect(await eventually(() => upstream.tlsConnections === before + 1, 5000)).toBe(true);
    expect(upstream.seen).toHaveLength(0);
    expect(await postOn(socket, HOST)).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.tlsConnections).toBe(before + 1);
  });

  it('opens nothing more when the pool already holds an idle connection to that host', async () => {
    const before = upstream.tlsConnections;
    for (let i = 0; i < 3; i++) {
      const res = await track(HOST);
      expect(res.status).toBe(200);
    }
    expect(upstream.tlsConnections).toBe(before);
  });

  it('closes a connection nobody claims (the client rejected our certificate) after 5 s', async () => {
    const linesBefore = proxy.exchanges().length;
    const tlsBefore = upstream.tlsConnections;
    const openBefore = upstream.openSockets();
    const otherCa = await createCa(path.join(tmp.dir, 'other-ca'));
    await expect(tlsThroughProxy(proxy.port, REJECTING, otherCa.certPem)).rejects.toThrow();
    expect(await eventually(() => upstream.tlsConnections === tlsBefore + 1, 5000)).toBe(true);
    expect(upstream.openSockets()).toBe(openBefore + 1);
    expect(await eventually(() => upstream.openSockets() === openBefore, 8000)).toBe(true);
    // The rejection is reported as before, and the proxy goes on relaying.
    const lines = (await proxy.waitForExchanges(linesBefore + 1)).slice(linesBefore);
    // Node's client sends its alert or just closes, depending on timing (as in tls-rejection.test.ts).
    expect(lines).toHaveLength(1);
    expect(['CLIENT_TLS_REJECTED', 'CLIENT_TLS_FAILED']).toContain(lines[0].exchange.error.kind);
    const res = await track(HOST);
    expect(res.status).toBe(200);
  }, 20_000);

  it('an upstream that refuses: the early attempt fails quietly, the request reports the refusal itself', async () => {
    const linesBefore = proxy.exchanges().length;
    const res = await track(REFUSED);
    expect(res.status).toBe(502);
    expect(res.headers['x-appinsights-auth-proxy-error']).toBe('UPSTREAM_REFUSED');
    const lines = (await proxy.waitForExchanges(linesBefore + 1)).slice(linesBefore);
    const refused = lines.filter((l) => l.exchange.request?.host === REFUSED);
    expect(refused).toHaveLength(1);
    expect(refused[0].exchange.error.kind).toBe('UPSTREAM_REFUSED');
  });
});
