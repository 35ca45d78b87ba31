/**
 * The bench's load generator, a forked child driven over IPC so its CPU is never counted as the
 * proxy's. Two client patterns:
 * - ka: keep-alive, one tunnel per concurrent lane reused for many requests (undici ProxyAgent);
 * - new: a new CONNECT + TLS handshake per request, `Connection: close` (https-proxy-agent, the
 *   pattern of @azure/monitor-opentelemetry-exporter).
 * Every answer is checked: status 200 and the exact "accepted" body, else it counts as an error.
 */
import https from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { Agent, ProxyAgent, request as undiciRequest, type Dispatcher } from 'undici';
import { acceptedResponse, bearerToken, BODIES, PATH, type Body } from './workload';

export interface Target {
  /** undefined: direct to the upstream. */
  proxyUrl?: string;
}

export interface CellRequest {
  type: 'cell';
  id: number;
  target: Target;
  pattern: 'ka' | 'new';
  concurrency: number;
  body: 'small' | 'large';
  host: string;
  warmupMs: number;
  durationMs: number;
  ca: string[];
  /** 'expired': the failure storm (every request draws a finding). Default fresh. */
  token?: 'fresh' | 'expired';
}

export interface CellResult {
  requests: number;
  total: number;
  errors: number;
  errorSamples: string[];
  elapsedMs: number;
  rps: number;
  p50: number;
  p99: number;
}

export interface FirstRequest {
  type: 'first';
  id: number;
  target: Target;
  hosts: string[];
  ca: string[];
}

export interface SoakRequest {
  type: 'soak';
  id: number;
  target: Target;
  host: string;
  count: number;
  maxMs: number;
  concurrency: number;
  ca: string[];
}

const TOKEN = bearerToken();
const EXPIRED_TOKEN = bearerToken(-3600);
/** Set by a {type: 'stop'} message: ends a running soak early (the orchestrator's memory guard). */
let stopRequested = false;
const REQUEST_TIMEOUT_MS = 10_000;

type Sender = (body: Body) => Promise<void>;

function check(status: number, text: string, body: Body): void {
  if (status !== 200) throw new Error(`status ${status}: ${text.slice(0, 80)}`);
  if (text !== acceptedResponse(body.items)) throw new Error(`unexpected answer: ${text.slice(0, 80)}`);
}

function keepAliveSender(
  target: Target,
  host: string,
  ca: string[],
  token = TOKEN,
): { send: Sender; close: () => Promise<void> } {
  const dispatcher: Dispatcher = target.proxyUrl
    ? new ProxyAgent({ uri: target.proxyUrl, requestTls: { ca }, keepAliveTimeout: 30_000 })
    : new Agent({ connect: { ca }, keepAliveTimeout: 30_000 });
  const url = `https://${host}${PATH}`;
  return {
    send: async (body) => {
      const res = await undiciRequest(url, {
        dispatcher,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...body.headers },
        body: body.payload,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      check(res.statusCode, await res.body.text(), body);
    },
    close: () => dispatcher.close(),
  };
}

function newConnectionSender(
  target: Target,
  host: string,
  ca: string[],
  token = TOKEN,
): { send: Sender; close: () => Promise<void> } {
  const agent = target.proxyUrl ? new HttpsProxyAgent(target.proxyUrl) : undefined;
  return {
    send: (body) =>
      new Promise<void>((resolve, reject) => {
        const req = https.request(
          {
            host,
            port: 443,
            path: PATH,
            method: 'POST',
            ca,
            agent: agent ?? false,
            timeout: REQUEST_TIMEOUT_MS,
            headers: {
              authorization: `Bearer ${token}`,
              connection: 'close',
              'content-length': body.payload.length,
              ...body.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              try {
                check(res.statusCode ?? 0, Buffer.concat(chunks).toString(), body);
                resolve();
              } catch (err) {
                reject(err);
              }
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(body.payload);
      }),
    close: async () => agent?.destroy(),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function runCell(msg: CellRequest): Promise<CellResult> {
  const body = BODIES[msg.body];
  const token = msg.token === 'expired' ? EXPIRED_TOKEN : TOKEN;
  const sender =
    msg.pattern === 'ka'
      ? keepAliveSender(msg.target, msg.host, msg.ca, token)
      : newConnectionSender(msg.target, msg.host, msg.ca, token);
  const t0 = performance.now();
  const measureFrom = t0 + msg.warmupMs;
  const until = measureFrom + msg.durationMs;
  const latencies: number[] = [];
  let total = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const lane = async () => {
    // Bounded by time, and by count as a backstop.
    for (let i = 0; i < 1_000_000 && performance.now() < until; i++) {
      const start = performance.now();
      try {
        await sender.send(body);
        total += 1;
        if (start >= measureFrom) latencies.push(performance.now() - start);
      } catch (err) {
        errors += 1;
        if (errorSamples.length < 3) errorSamples.push((err as Error).message);
        // A refused or broken target must not spin: back off a little.
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: msg.concurrency }, lane));
  const elapsedMs = performance.now() - measureFrom;
  await sender.close().catch(() => undefined);
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    total,
    errors,
    errorSamples,
    elapsedMs,
    rps: (latencies.length / elapsedMs) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Time to the first answer through a new tunnel for hosts the proxy has never seen, one after the other. */
async function runFirst(msg: FirstRequest): Promise<{ ms: number[]; errors: string[] }> {
  const ms: number[] = [];
  const errors: string[] = [];
  for (const host of msg.hosts) {
    const sender = newConnectionSender(msg.target, host, msg.ca);
    const start = performance.now();
    try {
      await sender.send(BODIES.small);
      ms.push(performance.now() - start);
    } catch (err) {
      ms.push(NaN);
      errors.push(`${host}: ${(err as Error).message}`);
    }
    await sender.close();
  }
  return { ms, errors };
}

async function runSoak(
  msg: SoakRequest,
): Promise<{ done: number; errors: number; elapsedMs: number; errorSamples: string[] }> {
  const sender = keepAliveSender(msg.target, msg.host, msg.ca);
  const start = performance.now();
  let next = 0;
  let done = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const lane = async () => {
    while (next < msg.count && performance.now() - start < msg.maxMs && !stopRequested) {
      const i = next++;
      try {
        await sender.send(i % 4 === 3 ? BODIES.large : BODIES.small);
        done += 1;
      } catch (err) {
        errors += 1;
        if (errorSamples.length < 3) errorSamples.push((err as Error).message);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: msg.concurrency }, lane));
  await sender.close().catch(() => undefined);
  return { done, errors, elapsedMs: performance.now() - start, errorSamples };
}

process.on('message', (msg: CellRequest | FirstRequest | SoakRequest | { type: 'stop' }) => {
  if (msg.type === 'stop') {
    stopRequested = true;
    return;
  }
  stopRequested = false;
  const work: Promise<unknown> =
    msg.type === 'cell' ? runCell(msg) : msg.type === 'first' ? runFirst(msg) : runSoak(msg);
  work.then(
    (result) => process.send!({ id: msg.id, result }),
    (err: Error) => process.send!({ id: msg.id, error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
