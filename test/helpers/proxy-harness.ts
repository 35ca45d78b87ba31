import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  RUN_PROXY_DEFAULTS,
  runProxy,
  type RunningProxy,
  type RunProxyOptions,
} from '../../src/cli/run-proxy';
import { tempDir } from './tmp';
import { expandGuidance } from '../../src/diagnosis/guidance-ref';

export interface TestProxy {
  port: number;
  caPem: string;
  caDir: string;
  running: RunningProxy;
  /** Every log line written so far, as text. */
  raw(): string;
  /** Every log line, parsed. */
  lines(): any[];
  /** Log lines that carry an exchange. */
  exchanges(): any[];
  /** Waits (bounded) until `count` exchange lines were logged. */
  waitForExchanges(count: number, timeoutMs?: number): Promise<any[]>;
  close(): Promise<void>;
}

export const DEFAULT_TEST_OPTIONS: Omit<RunProxyOptions, 'caDir'> = {
  ...RUN_PROXY_DEFAULTS,
  port: 0,
  upstreamTimeout: 5000,
  idleTimeout: 10000,
};

/** Runs the whole proxy in this process, its log captured in memory. */
export async function startTestProxy(
  overrides: Partial<RunProxyOptions> & { caDir?: string } = {},
): Promise<TestProxy> {
  const tmp = overrides.caDir ? undefined : tempDir('aiproxy-ca-');
  const caDir = overrides.caDir ?? path.join(tmp!.dir, 'certs');
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const running = await runProxy({
    ...DEFAULT_TEST_OPTIONS,
    ...overrides,
    caDir,
    logDestination: destination,
  });
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => expandGuidance(JSON.parse(l)));
  const exchanges = () => lines().filter((l) => l.exchange);
  return {
    port: running.address.port,
    caPem: readFileSync(running.caCertPath, 'utf8'),
    caDir,
    running,
    raw: () => text,
    lines,
    exchanges,
    // The default leaves room for a loaded CI machine (the log line follows the response
    // asynchronously); it returns as soon as the lines are there, and callers assert the count.
    async waitForExchanges(count, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (exchanges().length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      return exchanges();
    },
    async close() {
      await running.close();
      tmp?.cleanup();
    },
  };
}

/** A JWT-shaped bearer token with the given claims (unsigned: the proxy never verifies). */
export function makeJwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: 'test-kid' },
): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc(header)}.${enc(claims)}.${Buffer.from('signature-bytes-that-are-secret').toString('base64url')}`;
}
