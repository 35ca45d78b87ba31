import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LocalRoute } from '../proxy/local-endpoints';
import type { ExchangeSink } from '../sinks/exchange-sink';
import { BoundedLabels } from './bounded-labels';
import { PathLabels } from './path-label';

/** What the gauges read at scrape time; bound once the proxy runs (see `bind`). */
export interface MetricsSources {
  /** Exchanges waiting for analysis, and those relayed but never analysed (backlog full). */
  pipeline: { readonly backlog: number; readonly dropped: number };
  /** The CA certificate the proxy serves (its expiry is a gauge). */
  caCertPath: string;
}

/** Latency buckets (seconds): ingestion answers in tens of ms, token calls and timeouts take longer. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Distinct hosts counted by name; later ones are "other". A wildcard in scope
 * (`*.applicationinsights.azure.com`) lets a client name any number of hosts, and each host is
 * some twenty series (the latency histogram's buckets among them).
 */
export const MAX_HOSTS = 100;

/**
 * Prometheus metrics of one proxy, served as GET /metrics on the proxy's own port: a sidecar runs
 * on many pods, and a fleet is read by aggregating these. Its own registry (not prom-client's
 * global one), so two proxies in one process (tests) never share counters.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly paths = new PathLabels();
  private readonly hosts = new BoundedLabels(MAX_HOSTS);
  private sources?: MetricsSources;
  private readonly exchanges = new Counter({
    name: 'aiproxy_exchanges_total',
    help: 'Intercepted exchanges, by host, path and response status ("error": no response)',
    labelNames: ['host', 'path', 'status'] as const,
    registers: [this.registry],
  });
  private readonly findings = new Counter({
    name: 'aiproxy_findings_total',
    help: 'Findings attached to exchanges, by finding id (docs/findings.md), severity and host',
    labelNames: ['finding', 'severity', 'host'] as const,
    registers: [this.registry],
  });
  private readonly requestBytes = new Counter({
    name: 'aiproxy_request_bytes_total',
    help: 'Request body bytes relayed upstream (as sent, before decompression), by host',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  private readonly responseBytes = new Counter({
    name: 'aiproxy_response_bytes_total',
    help: 'Response body bytes relayed to the client (as sent), by host',
    labelNames: ['host'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'aiproxy_exchange_duration_seconds',
    help: 'From the request line to the last response byte (or the failure), by host',
    labelNames: ['host'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // collect() runs with the gauge as `this`: read the proxy through these closures
    const sources = () => this.sources;
    const caExpiry = () => this.caExpiry();
    new Gauge({
      name: 'aiproxy_analysis_backlog',
      help: 'Exchanges relayed and waiting for analysis',
      registers: [this.registry],
      collect() {
        const s = sources();
        if (s) this.set(s.pipeline.backlog);
      },
    });
    // A counter (its name ends in _total, which Prometheus keeps for counters), read from the
    // pipeline's own count at scrape time.
    new Counter({
      name: 'aiproxy_exchanges_not_analysed_total',
      help: 'Exchanges relayed but not analysed because the analysis backlog was full',
      registers: [this.registry],
      collect() {
        const s = sources();
        if (!s) return;
        this.reset();
        this.inc(s.pipeline.dropped);
      },
    });
    new Gauge({
      name: 'aiproxy_ca_expiry_timestamp_seconds',
      help: "Unix time when the proxy's CA certificate expires (alert well before: every client trusts it)",
      registers: [this.registry],
      collect() {
        const expiry = caExpiry();
        if (expiry !== undefined) this.set(expiry);
      },
    });
  }

  private caExpiryCache?: { path: string; seconds: number };
  private caExpiry(): number | undefined {
    const path = this.sources?.caCertPath;
    if (!path) return undefined;
    if (this.caExpiryCache?.path !== path) {
      const cert = new X509Certificate(readFileSync(path));
      this.caExpiryCache = { path, seconds: Math.floor(new Date(cert.validTo).getTime() / 1000) };
    }
    return this.caExpiryCache.seconds;
  }

  /** Gauges that read the running proxy; called once runProxy has returned. */
  bind(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** The ExchangeSink that counts every finished exchange line. */
  readonly sink: ExchangeSink = {
    write: ({ exchange, findings }) => {
      const host = this.hosts.label(exchange.request.host);
      const status = exchange.response ? String(exchange.response.status) : 'error';
      this.exchanges.inc({ host, path: this.paths.label(exchange.request.path), status });
      for (const f of findings) this.findings.inc({ finding: f.id, severity: f.severity, host });
      this.requestBytes.inc({ host }, exchange.request.body.size);
      if (exchange.response) this.responseBytes.inc({ host }, exchange.response.body.size);
      if (exchange.timings.total !== undefined) this.latency.observe({ host }, exchange.timings.total / 1000);
    },
  };

  /** GET /metrics in the Prometheus text format, on the proxy's own address. */
  readonly route: LocalRoute = {
    name: 'metrics',
    handle: (pathname, req, res) => {
      if (pathname !== '/metrics') return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        res.end('GET /metrics\n');
        return true;
      }
      this.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (err: Error) => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`metrics failed: ${err.message}\n`);
        },
      );
      return true;
    },
  };
}
