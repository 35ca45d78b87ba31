import { Writable } from 'node:stream';
import { liveInspector } from '../inspector/live-inspector';
import { BodyTap } from '../proxy/body-tap';
import { type Analyzer, ExchangePipeline } from '../proxy/exchange-pipeline';
import { liveExchange } from '../proxy/live-exchange';
import { type ExchangeSink, type LogBodies, logSink } from '../sinks/exchange-sink';
import type { LogGuidance } from '../diagnosis/guidance-ref';
import { createLogger } from '../sinks/logger';
import { SummarySink } from '../sinks/summary-sink';
import { startTrafficLog } from './traffic-log';

/**
 * A process's first exchange runs cold code (functions compiled on their first call, empty
 * inline caches): its analysis and log take several times longer than the next one's, on the
 * event loop just when a client's next new host is shaking hands with the proxy (the bench's
 * "second never-seen host"). So before
 * the proxy listens, one made-up healthy exchange goes through the same analysis and through
 * sinks of the same kinds (log, page, summary, traffic watch), built for it alone, writing
 * nowhere, and dropped: no output, count or page ever shows it.
 */
export async function warmAnalysis(
  analyze: Analyzer,
  log: { bodies: LogBodies; guidance: LogGuidance },
): Promise<void> {
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  const { logger, flush } = createLogger({ format: 'json', destination: nowhere });
  const page = liveInspector({ title: 'warm-up', logBodies: log.bodies });
  const traffic = startTrafficLog({
    logger,
    sinks: [],
    connectionStrings: [],
    expectEntra: false,
    quietAfterSeconds: 60,
  });
  const sinks: ExchangeSink[] = [
    logSink(logger, log.bodies, log.guidance),
    page.sink,
    new SummarySink(nowhere),
    traffic.sink,
  ];
  try {
    await new ExchangePipeline(sinks, analyze, 64 << 10).process(madeUpExchange());
  } finally {
    traffic.stop();
    page.sink.close?.();
    await flush();
  }
}

const HOST = 'warm-up.in.applicationinsights.azure.com';

/** A healthy `POST /v2.1/track` with a token-shaped (unsigned, made-up) bearer and one envelope. */
function madeUpExchange() {
  const now = Date.now();
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const seconds = Math.floor(now / 1000);
  const token = [
    part({ alg: 'none', typ: 'JWT' }),
    part({
      aud: 'https://monitor.azure.com',
      iss: 'https://sts.windows.net/warm-up/',
      exp: seconds + 3600,
      nbf: seconds - 60,
    }),
    'warm-up',
  ].join('.');
  const envelope = {
    ver: 1,
    name: 'Microsoft.ApplicationInsights.Request',
    time: new Date(now).toISOString(),
    iKey: '00000000-0000-4000-8000-000000000000',
    tags: { 'ai.cloud.role': 'warm-up', 'ai.internal.sdkVersion': 'node:0.0.0' },
    data: {
      baseType: 'RequestData',
      baseData: {
        ver: 2,
        id: '1',
        name: 'GET /',
        duration: '00:00:00.001',
        responseCode: '200',
        success: true,
      },
    },
  };
  return trackExchange({
    id: 'warm-up',
    host: HOST,
    bearer: token,
    body: Buffer.from(JSON.stringify([envelope])),
    status: 200,
    reason: 'OK',
    responseBody: '{"itemsReceived":1,"itemsAccepted":1,"appId":null,"errors":[]}',
    now,
  });
}

/** A finished `POST /v2.1/track` as the relay hands it to the pipeline (warm-up, bench/analysis-cost.ts). */
export function trackExchange(x: {
  id: string;
  host: string;
  bearer: string;
  body: Buffer;
  /** The body's Content-Encoding (the bench's large batch is gzip). */
  contentEncoding?: string;
  status: number;
  reason: string;
  responseBody: string;
  now: number;
}) {
  const request = new BodyTap(1 << 20);
  request.push(x.body);
  const response = new BodyTap(1 << 20);
  response.push(Buffer.from(x.responseBody));
  return liveExchange(
    x.id,
    x.now,
    {
      client: { address: '127.0.0.1', port: 1 },
      connect: { target: `${x.host}:443`, httpVersion: '1.1' },
      scope: 'ingestion',
      method: 'POST',
      scheme: 'https',
      target: { host: x.host, port: 443 },
      path: '/v2.1/track',
      httpVersion: '1.1',
      requestHeaders: {
        host: x.host,
        'content-type': 'application/json',
        'content-length': String(x.body.length),
        ...(x.contentEncoding ? { 'content-encoding': x.contentEncoding } : {}),
        authorization: `Bearer ${x.bearer}`,
      },
      upstream: { address: '127.0.0.1:443' },
    },
    {
      requestBody: request,
      response: {
        status: x.status,
        reason: x.reason,
        httpVersion: '1.1',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        at: x.now,
      },
      responseBody: response,
      end: x.now,
    },
  );
}
