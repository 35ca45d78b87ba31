import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import tls from 'node:tls';
import { startConnectRelay } from '../helpers/connect-relay';
import { connectTunnel, httpsViaProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { echoHandler, sha256, startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

describe('forwarding options and capture details', () => {
  let upstream: TestUpstream;
  const tmp = tempDir();
  let caFile: string;
  const proxies: TestProxy[] = [];
  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    caFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(caFile, upstream.caPem);
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await upstream?.close();
    tmp.cleanup();
  });
  async function proxyWith(overrides: Parameters<typeof startTestProxy>[0]) {
    const p = await startTestProxy({
      upstreamCa: [caFile],
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`],
      ...overrides,
    });
    proxies.push(p);
    return p;
  }

  it('chains through --upstream-proxy with CONNECT naming the real host', async () => {
    const relay = await startConnectRelay(() => upstream.port);
    try {
      const proxy = await proxyWith({ resolve: [], upstreamProxy: `http://127.0.0.1:${relay.port}` });
      const res = await httpsViaProxy({
        proxyPort: proxy.port,
        host: HOST,
        path: '/v2.1/track',
        method: 'POST',
        body: '[1]',
        ca: proxy.caPem,
      });
      expect(res.status).toBe(200);
      expect(relay.targets).toContain(`${HOST}:443`);
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.upstream.viaProxy).toBe(`127.0.0.1:${relay.port}`);
    } finally {
      await relay.close();
    }
  });

  it('relays a chunked upload exactly and captures the decompressed gzip body for analysis', async () => {
    const proxy = await proxyWith({ logBodies: 'all' });
    const json = JSON.stringify([
      {
        name: 'Microsoft.ApplicationInsights.Event',
        iKey: '11111111-2222-3333-4444-555555555555',
        data: { baseType: 'EventData' },
      },
    ]);
    const gz = gzipSync(json);
    const raw = await connectTunnel(proxy.port, `${HOST}:443`);
    const socket = tls.connect({ socket: raw, servername: HOST, ca: proxy.caPem });
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          createConnection: () => socket,
          host: HOST,
          path: '/v2.1/track',
          method: 'POST',
          headers: {
            host: HOST,
            'content-encoding': 'gzip',
            'transfer-encoding': 'chunked',
            connection: 'close',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      // Three chunks, sent apart: the upstream must see the same bytes.
      req.write(gz.subarray(0, 10));
      setTimeout(() => req.write(gz.subarray(10, 20)), 10);
      setTimeout(() => req.end(gz.subarray(20)), 20);
    });
    expect(JSON.parse(answer).sha256).toBe(sha256(gz));
    expect(upstream.seen.at(-1)!.headers['transfer-encoding']).toBe('chunked');
    const [line] = await proxy.waitForExchanges(1);
    const body = line.exchange.request.body;
    expect(body).toMatchObject({
      size: gz.length,
      contentEncoding: 'gzip',
      decodedSize: Buffer.byteLength(json),
    });
    expect(JSON.parse(body.text)[0].iKey).toBe('11111111-****-****-****-********5555');
  });

  it('caps what it keeps of a large body while relaying all of it', async () => {
    const proxy = await proxyWith({ maxCaptureBytes: 1000, logBodies: 'all' });
    const big = 'x'.repeat(50_000);
    const res = await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      body: big,
      ca: proxy.caPem,
      headers: { 'content-type': 'text/plain' },
    });
    expect(JSON.parse(res.body.toString()).sha256).toBe(sha256(big));
    const [line] = await proxy.waitForExchanges(1);
    expect(line.exchange.request.body).toMatchObject({ size: 50_000, captured: 1000, truncated: true });
    expect(line.exchange.request.body.text).toHaveLength(1000);
  });

  it('by default logs body text only for exchanges that went wrong', async () => {
    const proxy = await proxyWith({});
    const body = JSON.stringify([{ name: 'Event', iKey: '11111111-2222-3333-4444-555555555555' }]);
    await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      body,
      ca: proxy.caPem,
      headers: { 'content-type': 'application/json' },
    });
    upstream.handler = (_req, res) => {
      res.writeHead(401, 'Unauthorized', { 'content-type': 'application/json' });
      res.end(
        '{"itemsReceived":1,"itemsAccepted":0,"errors":[{"index":0,"statusCode":401,"message":"Authentication required"}]}',
      );
    };
    try {
      await httpsViaProxy({
        proxyPort: proxy.port,
        host: HOST,
        path: '/v2.1/track',
        method: 'POST',
        body,
        ca: proxy.caPem,
        headers: { 'content-type': 'application/json' },
      });
    } finally {
      upstream.handler = echoHandler;
    }
    const [healthy, failed] = await proxy.waitForExchanges(2);
    expect(healthy.level).toBe('info');
    expect(healthy.exchange.request.body).toMatchObject({ size: body.length, omitted: 'healthy' });
    expect(healthy.exchange.request.body.text).toBeUndefined();
    expect(healthy.analysis.envelopes.count).toBe(1);
    expect(failed.level).toBe('error');
    expect(failed.exchange.request.body.text).toContain('11111111-****');
    expect(failed.exchange.response.body.text).toContain('Authentication required');
  });

  it('writes JSON lines to --log-file too', async () => {
    const logFile = path.join(tmp.dir, 'logs', 'proxy.log');
    const proxy = await proxyWith({ logFile });
    await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      body: '[]',
      ca: proxy.caPem,
    });
    await proxy.waitForExchanges(1);
    await proxy.close();
    proxies.splice(proxies.indexOf(proxy), 1);
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.listening)).toBe(true);
    expect(lines.filter((l) => l.exchange)).toHaveLength(1);
  });

  it('with --analysis false it relays without capturing or logging exchanges', async () => {
    const proxy = await proxyWith({ analysis: false });
    const res = await httpsViaProxy({
      proxyPort: proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      body: '[]',
      ca: proxy.caPem,
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(proxy.exchanges()).toHaveLength(0);
  });
});
