import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { MAX_PATHS, PathLabels } from '../../src/metrics/path-label';
import { MAX_HOSTS, ProxyMetrics } from '../../src/metrics/proxy-metrics';
import { exchange } from '../fixtures/exchanges';
import { httpsViaProxy, plainViaProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const INGEST = 'westus-0.in.applicationinsights.azure.com';
const IKEY = '11111111-2222-3333-4444-555555555555';

/** Prometheus text → { 'name{labels}': value }. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('GET /metrics on the proxy port, after known traffic', () => {
  let upstream: TestUpstream;
  let proxy: TestProxy;
  let metrics: ProxyMetrics;
  const tmp = tempDir();
  const sent = { ok: [] as number[], unauthorized: [] as number[] };

  beforeAll(async () => {
    upstream = await startUpstream([INGEST]);
    upstream.handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
      const ok = req.headers.authorization !== undefined;
      const answer = ok ? '{"itemsReceived":1,"itemsAccepted":1,"errors":[]}' : '';
      res.writeHead(ok ? 200 : 401, ok ? 'OK' : 'Unauthorized', { 'content-type': 'application/json' });
      res.end(answer);
      (ok ? sent.ok : sent.unauthorized).push(body.length);
    };
    const caFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(caFile, upstream.caPem);
    metrics = new ProxyMetrics();
    proxy = await startTestProxy({
      resolve: [`${INGEST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [caFile],
      connectionString: [`InstrumentationKey=${IKEY};IngestionEndpoint=https://${INGEST}/`],
      sinks: [metrics.sink],
      localRoutes: [metrics.route],
    });
    metrics.bind({ pipeline: proxy.running.pipeline, caCertPath: proxy.running.caCertPath });
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('counts exchanges by host, path and status, findings by id, bytes, latency, backlog, dropped and the CA expiry', async () => {
    const body = (n: number) =>
      JSON.stringify([
        {
          name: 'Microsoft.ApplicationInsights.Request',
          iKey: IKEY,
          time: new Date().toISOString(),
          pad: 'x'.repeat(n),
        },
      ]);
    const post = (n: number, token: boolean) =>
      httpsViaProxy({
        proxyPort: proxy.port,
        host: INGEST,
        path: `/v2.1/track?attempt=${n}`,
        method: 'POST',
        body: body(n),
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: 'Bearer abc.def.ghi' } : {}),
        },
        ca: proxy.caPem,
      });
    for (let i = 0; i < 3; i++) expect((await post(10 * i, true)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await post(100 + i, false)).status).toBe(401);
    // a profile lookup with the iKey in the path: one series for every key
    await httpsViaProxy({
      proxyPort: proxy.port,
      host: INGEST,
      path: `/api/profiles/${IKEY}/appId`,
      ca: proxy.caPem,
      headers: { authorization: 'Bearer x' },
    });
    await proxy.waitForExchanges(6);

    const res = await plainViaProxy(proxy.port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parse(res.body.toString());
    const h = `host="${INGEST}"`;
    expect(m.get(`aiproxy_exchanges_total{${h},path="/v2.1/track",status="200"}`)).toBe(3);
    expect(m.get(`aiproxy_exchanges_total{${h},path="/v2.1/track",status="401"}`)).toBe(2);
    expect(m.get(`aiproxy_exchanges_total{${h},path="/api/profiles/:id/appId",status="200"}`)).toBe(1);
    // every 401 without a token is TOKEN_MISSING, as the log says
    const logged401 = proxy.exchanges().filter((l) => l.exchange.response.status === 401);
    expect(logged401.every((l) => l.findings.some((f: any) => f.id === 'TOKEN_MISSING'))).toBe(true);
    const missing = [...m.entries()].filter(([k]) =>
      k.startsWith('aiproxy_findings_total{finding="TOKEN_MISSING"'),
    );
    expect(missing.reduce((a, [, v]) => a + v, 0)).toBe(2);
    // bytes: what the upstream received for the five POSTs (the GET has no body)
    const upstreamBytes = [...sent.ok, ...sent.unauthorized].reduce((a, b) => a + b, 0);
    expect(m.get(`aiproxy_request_bytes_total{${h}}`)).toBe(upstreamBytes);
    const logged = proxy.exchanges().reduce((a, l) => a + (l.exchange.response?.body.size ?? 0), 0);
    expect(m.get(`aiproxy_response_bytes_total{${h}}`)).toBe(logged);
    expect(m.get(`aiproxy_exchange_duration_seconds_count{${h}}`)).toBe(6);
    expect(m.get(`aiproxy_exchange_duration_seconds_bucket{le="+Inf",${h}}`)).toBe(6);
    expect(m.get('aiproxy_analysis_backlog')).toBe(0);
    expect(m.get('aiproxy_exchanges_not_analysed_total')).toBe(0);
    const caExpiry = new Date(new X509Certificate(proxy.caPem).validTo).getTime() / 1000;
    expect(m.get('aiproxy_ca_expiry_timestamp_seconds')).toBe(Math.floor(caExpiry));
  });

  it('every metric named *_total is typed a counter, and every counter is named *_total', async () => {
    // aiproxy_exchanges_not_analysed_total was a gauge: linters (promtool) and OpenMetrics
    // readers keep the _total suffix for counters.
    const text = (await plainViaProxy(proxy.port, '/metrics')).body.toString();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name, type]);
    expect(types.length).toBeGreaterThan(5);
    for (const [name, type] of types)
      expect([name, type === 'counter']).toEqual([name, name!.endsWith('_total')]);
  });

  it('/metrics is answered by the proxy itself, never forwarded; other methods get 405', async () => {
    const before = upstream.seen.length;
    expect((await plainViaProxy(proxy.port, '/metrics', 'POST', {}, 'x')).status).toBe(405);
    expect((await plainViaProxy(proxy.port, '/metrics', 'HEAD')).status).toBe(200);
    expect(upstream.seen.length).toBe(before);
  });
});

describe('the path label', () => {
  it('drops query strings and folds ids (GUIDs, masked iKeys, long hex and digit runs) into ":id"', () => {
    const p = new PathLabels();
    expect(p.label('/v2.1/track?x=1')).toBe('/v2.1/track');
    expect(p.label('/api/profiles/11111111-2222-3333-4444-555555555555/appId')).toBe(
      '/api/profiles/:id/appId',
    );
    expect(p.label('/api/profiles/11111111-****-****-****-********5555/appId')).toBe(
      '/api/profiles/:id/appId',
    );
    expect(p.label('/0f4e1c2d-3b5a-4c6d-8e7f-a1b2c3d4e5f6/oauth2/v2.0/token')).toBe('/:id/oauth2/v2.0/token');
    expect(p.label('')).toBe('/');
  });

  it(`keeps at most ${MAX_PATHS} distinct paths; a scan of random paths becomes "other"`, () => {
    const p = new PathLabels();
    for (let i = 0; i < MAX_PATHS; i++) p.label(`/scan/p${i}x`);
    expect(p.label('/scan/another')).toBe('other');
    expect(p.label('/scan/p0x')).toBe('/scan/p0x');
  });
});

describe('the host label', () => {
  it(`keeps at most ${MAX_HOSTS} distinct hosts; a scan of random names in a wildcard scope becomes "other"`, async () => {
    const metrics = new ProxyMetrics();
    const hosts = (text: string) => new Set([...text.matchAll(/host="([^"]*)"/g)].map((m) => m[1]));
    for (let i = 0; i < MAX_HOSTS + 500; i++) {
      const host = `scan${i}.in.applicationinsights.azure.com`;
      metrics.sink.write({ msg: '', exchange: exchange({ request: { host } }), findings: [] });
    }
    const seen = hosts(await metrics.registry.metrics());
    expect(seen.size).toBe(MAX_HOSTS + 1);
    expect(seen.has('other')).toBe(true);
    expect(seen.has('scan0.in.applicationinsights.azure.com')).toBe(true);
  });
});
