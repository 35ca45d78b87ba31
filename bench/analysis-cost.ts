/**
 * `npm run bench:analysis`: the CPU one exchange's analysis and log cost, without sockets. The bench
 * workload's small track request (`--large`: its 65-envelope gzip batch), healthy or with
 * `--storm` an expired token and a 401, goes through the sinks `start` wires by default (the JSON
 * log, the inspector page, the summary's counts, the metrics, the traffic watch) and the same
 * ExchangePipeline, N times in a row, one turn of the event loop each; the process's CPU time per
 * exchange is printed for each tenth of the run, so a cost that grows with the number of exchanges
 * shows. One thread and no load generator: it moves far less with the machine's load than the
 * bench's throughput cells, so a change to the analysis can be compared before and after. It does
 * not see what the same work costs inside the relaying process (docs/design-notes.md compares the
 * two).
 *
 * The log goes to stdout, as the bench's proxy writes it (redirect it to a file); the figures go
 * to stderr:
 *   npm run bench:analysis -- [--count N] [--storm] [--large] > /tmp/analysis-cost.log
 */
import type { Writable } from 'node:stream';
import { diagnose } from '../src/diagnosis';
import { liveInspector } from '../src/inspector/live-inspector';
import { ProxyMetrics } from '../src/metrics/proxy-metrics';
import { ExchangePipeline } from '../src/proxy/exchange-pipeline';
import { logSink } from '../src/sinks/exchange-sink';
import { createLogger } from '../src/sinks/logger';
import { SummarySink } from '../src/sinks/summary-sink';
import { startTrafficLog } from '../src/cli/traffic-log';
import { trackExchange } from '../src/cli/warm-analysis';
import { acceptedResponse, BODIES, bearerToken, HOST } from './workload';

const PARTS = 10;

export interface AnalysisCost {
  /** CPU µs per exchange in each tenth of the run. */
  perTenth: number[];
  /** The median of tenths 2–10 (the first holds the code's warm-up). */
  medianUs: number;
}

/** One exchange as the relay hands it over: the bench's request and the upstream's answer. */
function exchange(seq: number, token: string, storm: boolean, body: 'small' | 'large') {
  return trackExchange({
    id: `bench-${seq}`,
    host: HOST,
    bearer: token,
    body: BODIES[body].payload,
    contentEncoding: BODIES[body].headers['content-encoding'],
    status: storm ? 401 : 200,
    reason: storm ? 'Unauthorized' : 'OK',
    responseBody: storm
      ? '{"error":{"code":"InvalidAuthenticationToken","message":"expired"}}'
      : acceptedResponse(2),
    now: Date.now(),
  });
}

/** Runs `count` exchanges (a multiple of 10) through the pipeline; the log goes to `destination` (stdout). */
export async function measureAnalysisCost(options: {
  count: number;
  storm: boolean;
  /** The bench's large batch (65 envelopes, gzip) instead of the small one. */
  large?: boolean;
  destination?: Writable;
}): Promise<AnalysisCost> {
  const { logger, flush } = createLogger({ format: 'json', destination: options.destination });
  const page = liveInspector({ title: 'bench' });
  const metrics = new ProxyMetrics();
  const sinks = [page.sink, new SummarySink(process.stderr), metrics.sink];
  const traffic = startTrafficLog({
    logger,
    sinks,
    connectionStrings: [],
    expectEntra: false,
    quietAfterSeconds: 60,
  });
  const pipeline = new ExchangePipeline(
    [logSink(logger), ...sinks, traffic.sink],
    (e) => diagnose(e, { connectionStrings: [], expectEntra: false, caCertPath: 'certs/ca.pem' }),
    1 << 20,
  );
  const token = bearerToken(options.storm ? -3600 : 7200);
  const perTenth: number[] = [];
  const each = Math.max(1, Math.floor(options.count / PARTS));
  let seq = 0;
  try {
    for (let part = 0; part < PARTS; part++) {
      const before = process.cpuUsage();
      for (let i = 0; i < each; i++) {
        // A turn of the event loop per exchange, as the proxy's pipeline takes them: the log's
        // writes go out meanwhile instead of piling up past its ceiling.
        await new Promise((resolve) => setImmediate(resolve));
        await pipeline.process(exchange(seq++, token, options.storm, options.large ? 'large' : 'small'));
      }
      const used = process.cpuUsage(before);
      perTenth.push((used.user + used.system) / each);
    }
  } finally {
    traffic.stop();
    page.sink.close?.();
    await flush();
  }
  const rest = perTenth.slice(1).sort((a, b) => a - b);
  return { perTenth, medianUs: rest[Math.floor(rest.length / 2)]! };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const count = Math.min(1_000_000, Number(argv[argv.indexOf('--count') + 1] || 50_000));
  const storm = argv.includes('--storm');
  const large = argv.includes('--large');
  void measureAnalysisCost({ count, storm, large }).then((cost) => {
    process.stderr.write(
      `${storm ? 'storm (expired token, 401)' : 'healthy'}, ${large ? 'large' : 'small'} body: ${count} exchanges\n` +
        `CPU per exchange by tenth (µs): ${cost.perTenth.map((u) => u.toFixed(1)).join(' ')}\n` +
        `median of tenths 2–10: ${cost.medianUs.toFixed(1)} µs\n`,
    );
  });
}
