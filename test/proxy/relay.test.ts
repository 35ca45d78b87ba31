import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { X509Certificate, randomBytes } from 'node:crypto';
import { connectTunnel, httpsViaProxy, plainViaProxy } from '../helpers/proxy-client';
import { makeJwt, startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { echoHandler, sha256, startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const OTHER = 'example.test';

describe('relay through the proxy to a local upstream reached by a real Azure name', () => {
  let upstream: TestUpstream;
  let proxy: TestProxy;
  const tmp = tempDir();
  const now = Math.floor(Date.now() / 1000);
  const token = makeJwt({
    aud: 'https://monitor.azure.com',
    iss: 'https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/',
    tid: '72f988bf-0000-0000-0000-000000000000',
    oid: 'aaaaaaaa-0000-0000-0000-000000000001',
    appid: 'bbbbbbbb-0000-0000-0000-000000000002',
    exp: now + 3600,
    nbf: now - 60,
    iat: now - 60,
  });

  beforeAll(async () => {
    upstream = await startUpstream([HOST, OTHER]);
    const upstreamCaFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCaFile, upstream.caPem);
    proxy = await startTestProxy({
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`, `${OTHER}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCaFile],
      logBodies: 'all',
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('relays a telemetry POST and logs exactly one line with the redacted, decoded Authorization', async () => {
    const before = proxy.exchanges().length;
    const body = JSON.stringify([
      {
        ver: 1,
        name: 'Request',
        time: new Date().toISOString(),
        iKey: '11111111-2222-3333-4444-555555555555',
        data: { baseType: 'RequestData', baseData: {} },
      },
    ]);
    const res = await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      ca: proxy.caPem,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString()).sha256).toBe(sha256(body));
    // The client saw our leaf, issued for the host by our CA.
    expect(res.peerCertificate?.subject.CN).toBe(HOST);
    expect(res.peerCertificate?.issuer.O).toBe('appinsights-auth-proxy');
    const lines = await proxy.waitForExchanges(before + 1);
    const mine = lines.slice(before);
    expect(mine).toHaveLength(1);
    const { exchange, msg } = mine[0];
    expect(msg).toBe(`POST ${HOST}/v2.1/track → 200 OK`);
    expect(exchange.request).toMatchObject({
      method: 'POST',
      host: HOST,
      path: '/v2.1/track',
      url: `https://${HOST}/v2.1/track`,
    });
    expect(exchange.response).toMatchObject({ status: 200, reason: 'OK' });
    expect(exchange.request.headers.authorization).toBe('[redacted]');
    expect(exchange.request.authorization).toMatchObject({ scheme: 'Bearer', length: token.length });
    expect(exchange.request.authorization.jwt.claims).toMatchObject({
      aud: 'https://monitor.azure.com',
      tid: '72f988bf-0000-0000-0000-000000000000',
      oid: 'aaaaaaaa-0000-0000-0000-000000000001',
      appid: 'bbbbbbbb-0000-0000-0000-000000000002',
    });
    expect(exchange.request.body.size).toBe(Buffer.byteLength(body));
    expect(exchange.response.body.size).toBe(res.body.length);
    expect(exchange.request.body.text).toContain('11111111-****-****-****-********5555');
    expect(proxy.raw()).not.toContain(token);
    expect(proxy.raw()).not.toContain(token.split('.')[2]);
    expect(proxy.raw()).not.toContain('11111111-2222-3333-4444-555555555555');
  });

  it('keeps the service reason phrase and relays error statuses unchanged', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(400, 'Authentication not supported', { 'content-type': 'application/json' });
      res.end('{"itemsReceived":1,"itemsAccepted":0,"errors":[]}');
    };
    try {
      const res = await httpsViaProxy({
        proxyPort: proxy.port,
        host: HOST,
        path: '/v2/track',
        method: 'POST',
        body: '{}',
        ca: proxy.caPem,
      });
      expect(res.status).toBe(400);
      expect(res.reason).toBe('Authentication not supported');
    } finally {
      upstream.handler = echoHandler;
    }
  });

  it('tunnels an out-of-scope CONNECT: the client sees the server’s own certificate', async () => {
    const res = await httpsViaProxy({ proxyPort: proxy.port, host: OTHER, path: '/', ca: upstream.caPem });
    expect(res.status).toBe(200);
    // Signed by the upstream's own CA, not by the proxy's.
    const issuerCn = res.peerCertificate?.issuer.CN;
    expect(issuerCn).toBe(new X509Certificate(upstream.caPem).subject.match(/CN=(.*)/)?.[1]);
    expect(issuerCn).not.toBe(new X509Certificate(proxy.caPem).subject.match(/CN=(.*)/)?.[1]);
    const until = Date.now() + 3000;
    while (!proxy.lines().some((l) => l.tunnel?.target === `${OTHER}:443`) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(proxy.lines().find((l) => l.tunnel?.target === `${OTHER}:443`)?.msg).toMatch(/not intercepted/);
    expect(proxy.exchanges().some((l) => l.exchange.request.host === OTHER)).toBe(false);
  });

  it('relays a gzip body and 10 MB bodies in each direction byte for byte', async () => {
    const gz = gzipSync(
      Buffer.from(JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ i, name: 'Event' })))),
    );
    const r1 = await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      headers: { 'content-encoding': 'gzip' },
      body: gz,
      ca: proxy.caPem,
    });
    expect(JSON.parse(r1.body.toString()).sha256).toBe(sha256(gz));
    expect(upstream.seen.at(-1)!.headers['content-encoding']).toBe('gzip');

    const big = randomBytes(10 * 1024 * 1024);
    const r2 = await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/upload',
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: big,
      ca: proxy.caPem,
    });
    expect(JSON.parse(r2.body.toString()).sha256).toBe(sha256(big));

    upstream.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length });
      res.end(big);
    };
    try {
      const r3 = await httpsViaProxy({
        proxyPort: proxy.port,
        host: HOST,
        path: '/download',
        ca: proxy.caPem,
      });
      expect(r3.body.length).toBe(big.length);
      expect(sha256(r3.body)).toBe(sha256(big));
    } finally {
      upstream.handler = echoHandler;
    }
  });

  it('answers requests addressed to the proxy itself locally (no loop)', async () => {
    const health = await plainViaProxy(proxy.port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString()).status).toBe('ok');
    const ca = await plainViaProxy(proxy.port, '/ca.pem');
    expect(ca.body.toString()).toBe(proxy.caPem);
    const self = await plainViaProxy(proxy.port, `http://127.0.0.1:${proxy.port}/healthz`);
    expect(self.status).toBe(200);
  });

  it('forwards an absolute-form https:// request sent in clear over TLS (legacy Node SDK)', async () => {
    const before = proxy.exchanges().length;
    const body = '{"name":"x"}\n{"name":"y"}';
    const res = await plainViaProxy(
      proxy.port,
      `https://${HOST}/v2.1/track`,
      'POST',
      { host: HOST, 'content-type': 'application/x-json-stream', authorization: `Bearer ${token}` },
      body,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString()).sha256).toBe(sha256(body));
    const lines = await proxy.waitForExchanges(before + 1);
    expect(lines[before].exchange.request.url).toBe(`https://${HOST}/v2.1/track`);
    expect(lines[before].exchange.connect).toBeUndefined();
  });

  it('accepts an HTTP/1.0 CONNECT without a Host header', async () => {
    const res = await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      body: '[]',
      ca: proxy.caPem,
      connectHttpVersion: '1.0',
    });
    expect(res.status).toBe(200);
  });

  it('refuses CONNECT targets that are not host:port with 400', async () => {
    for (const target of [
      '../../etc/passwd:443',
      'host with space:443',
      'nohost',
      'a..b:443',
      '[zz]:443',
      'x:99999',
    ]) {
      await expect(connectTunnel(proxy.port, target)).rejects.toThrow(/400/);
    }
  });
});
