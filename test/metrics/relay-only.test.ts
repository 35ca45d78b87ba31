import { ProxyMetrics } from '../../src/metrics/proxy-metrics';
import { httpsViaProxy, plainViaProxy } from '../helpers/proxy-client';
import type { TestProxy } from '../helpers/proxy-harness';
import { type ProxiedUpstream, startProxiedUpstream } from '../helpers/proxied-upstream';

/**
 * The README's metrics table said aiproxy_exchanges_total counts intercepted exchanges; with
 * `--analysis false` (relay only) exchanges are not recorded, so the exchange, finding, byte and
 * latency series stay empty while /healthz counts the traffic. The README now says so; this is
 * the behaviour it describes.
 */
const INGEST = 'westus-0.in.applicationinsights.azure.com';

describe('/metrics with --analysis false (relay only)', () => {
  let setup: ProxiedUpstream;
  let proxy: TestProxy;

  beforeAll(async () => {
    const metrics = new ProxyMetrics();
    setup = await startProxiedUpstream(INGEST, {
      analysis: false,
      sinks: [metrics.sink],
      localRoutes: [metrics.route],
    });
    proxy = setup.proxy;
    metrics.bind({ pipeline: proxy.running.pipeline, caCertPath: proxy.running.caCertPath });
  });
  afterAll(() => setup?.close());

  it('relays, but only the gauges have samples: no exchange, finding, byte or latency series', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await httpsViaProxy({
        proxyPort: proxy.port,
        host: INGEST,
        path: '/v2.1/track',
        method: 'POST',
        body: '[]',
        headers: { 'content-type': 'application/json' },
        ca: proxy.caPem,
      });
      expect(res.status).toBeGreaterThan(0);
    }
    expect(setup.upstream.seen.length).toBe(2);
    const health = JSON.parse((await plainViaProxy(proxy.port, '/healthz')).body.toString());
    expect(health.exchanges).toBe(2);
    const samples = (await plainViaProxy(proxy.port, '/metrics')).body
      .toString()
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/)[0]);
    expect(samples.sort()).toEqual([
      'aiproxy_analysis_backlog',
      'aiproxy_ca_expiry_timestamp_seconds',
      'aiproxy_exchanges_not_analysed_total',
    ]);
  });
});
