import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CliProcess, CLI, runCli } from '../helpers/cli-process';
import { httpsViaProxy } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { cli } from '../cli-ca/run-cli';
import { harSchemaErrors } from './har-schema';

/**
 * The outputs survive the proxy dying. A real `start` process writes the log file and the live
 * HAR while traffic flows (log lines over 1 MB among them); kill -9 mid-traffic; then every log
 * line parses and `har` turns both the log and the unfinished HAR into valid HAR 1.2. SIGTERM
 * with an exchange in flight: the exchange reaches the log and the HAR, marked as cut short by
 * the shutdown, not blamed on the upstream.
 */

const HOST = 'westus-0.in.applicationinsights.azure.com';

/** A JSON body of about `bytes` bytes: a log line that keeps it is over 1 MB. */
function bigEnvelope(bytes: number, i: number): string {
  return JSON.stringify([
    {
      ver: 1,
      name: 'Microsoft.ApplicationInsights.Message',
      i,
      data: { baseData: { message: 'x'.repeat(bytes) } },
    },
  ]);
}

function startProxy(dir: string, upstream: TestUpstream, extra: string[] = []): CliProcess {
  mkdirSync(dir, { recursive: true });
  const upstreamCa = path.join(dir, 'upstream-ca.pem');
  writeFileSync(upstreamCa, upstream.caPem);
  return runCli([
    'start',
    '--port',
    '0',
    '--log-format',
    'json',
    '--ca-dir',
    path.join(dir, 'certs'),
    '--resolve',
    `${HOST}:443=127.0.0.1:${upstream.port}`,
    '--upstream-ca',
    upstreamCa,
    '--log-file',
    path.join(dir, 'proxy.log'),
    '--har',
    path.join(dir, 'live.har'),
    '--log-bodies',
    'all',
    '--max-capture-bytes',
    String(3 << 20),
    '--summary',
    'false',
    ...extra,
  ]);
}

async function listeningPort(proxy: CliProcess): Promise<{ port: number; caPem: string }> {
  const line = await proxy.waitForLine((l) => typeof l.listening === 'string', 30_000);
  return { port: Number(String(line.listening).split(':').pop()), caPem: readFileSync(line.ca.path, 'utf8') };
}

describe('crash safety of the log and the HAR (real processes)', () => {
  const tmp = tempDir('aiproxy-crash-');
  let upstream: TestUpstream;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs tsc)`);
    upstream = await startUpstream([HOST]);
  });
  afterAll(async () => {
    await upstream?.close();
    tmp.cleanup();
  });

  it('kill -9 under traffic: every log line parses, `har` yields valid HAR 1.2 from the log and from the live file', async () => {
    const dir = path.join(tmp.dir, 'kill9');
    upstream.handler = (_req, res) => {
      // Failures, so every line keeps its (large) bodies whatever --log-bodies says.
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"itemsReceived":1,"itemsAccepted":0,"errors":[{"index":0,"statusCode":400,"message":"no"}]}');
    };
    const proxy = startProxy(dir, upstream);
    const { port, caPem } = await listeningPort(proxy);
    const logFile = path.join(dir, 'proxy.log');
    let stop = false;
    let sent = 0;
    // Four clients in a loop, bounded in count; the kill lands while they are sending.
    const client = async (c: number) => {
      for (let i = 0; i < 200 && !stop; i++) {
        const body = i % 2 === 0 ? bigEnvelope(1_200_000, i) : bigEnvelope(100, i);
        await httpsViaProxy({
          proxyPort: port,
          ca: caPem,
          host: HOST,
          path: '/v2.1/track',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-client': String(c) },
          body,
        }).then(
          () => (sent += 1),
          () => undefined,
        );
      }
    };
    const clients = [0, 1, 2, 3].map(client);
    // Kill once the log holds several big lines (waits on the file, bounded).
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const lines = existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .split('\n')
            .filter((l) => l.length > 1_000_000)
        : [];
      if (lines.length >= 4) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // The child may have ended already (then 'exit' has fired and waiting for it would hang until
    // jest's timeout): say so, since the proxy must only die by this kill.
    expect({ exitCode: proxy.child.exitCode, signal: proxy.child.signalCode }).toEqual({
      exitCode: null,
      signal: null,
    });
    const exited = new Promise((r) => proxy.child.once('exit', r));
    proxy.child.kill('SIGKILL');
    await exited;
    expect(proxy.child.signalCode).toBe('SIGKILL');
    stop = true;
    await Promise.all(clients);
    expect(sent).toBeGreaterThanOrEqual(4);

    const text = readFileSync(logFile, 'utf8');
    const lines = text.split('\n');
    const tail = lines.pop()!; // after the last newline: '' unless the kill tore the last write
    const exchangeLines = lines
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((l) => l.exchange);
    expect(exchangeLines.length).toBeGreaterThanOrEqual(4);
    expect(exchangeLines.some((l) => l.exchange.request.body.text.length > 1_000_000)).toBe(true);

    const fromLog = path.join(dir, 'from-log.har');
    const r1 = await cli(['har', logFile, '--out', fromLog]);
    expect(r1.code).toBe(0);
    const har1 = JSON.parse(readFileSync(fromLog, 'utf8'));
    expect(harSchemaErrors(har1)).toEqual([]);
    expect(har1.log.entries.length).toBe(exchangeLines.length);

    const live = path.join(dir, 'live.har');
    expect(() => JSON.parse(readFileSync(live, 'utf8'))).toThrow(); // unfinished: no tail
    const repaired = path.join(dir, 'repaired.har');
    const r2 = await cli(['har', live, '--out', repaired]);
    expect(r2.code).toBe(0);
    expect(r2.stderr).toContain('unfinished HAR repaired');
    const har2 = JSON.parse(readFileSync(repaired, 'utf8'));
    expect(harSchemaErrors(har2)).toEqual([]);
    expect(har2.log.entries.length).toBeGreaterThanOrEqual(1);
    expect(har2.log.comment).toContain('recovered from an unfinished HAR');

    // The next run appends to the same file: its first line is never glued to a torn one.
    const again = startProxy(path.join(tmp.dir, 'kill9'), upstream);
    await listeningPort(again);
    expect(await again.stop('SIGTERM')).toBe(0);
    const after = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    const unparsable = after.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(unparsable.length).toBeLessThanOrEqual(tail ? 1 : 0);
    expect(JSON.parse(after[after.length - 1]!)).toBeTruthy();
  }, 180_000);

  it('SIGTERM with an exchange in flight: logged and in the HAR, marked as cut by the shutdown', async () => {
    const dir = path.join(tmp.dir, 'sigterm');
    let reached!: () => void;
    const atUpstream = new Promise<void>((r) => (reached = r));
    upstream.handler = () => reached(); // never answers: the exchange is in flight at the SIGTERM
    const proxy = startProxy(dir, upstream);
    const { port, caPem } = await listeningPort(proxy);
    const request = httpsViaProxy({
      proxyPort: port,
      ca: caPem,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[]',
    }).catch((e: Error) => e);
    await atUpstream;
    expect(await proxy.stop('SIGTERM')).toBe(0);
    await request;
    const lines = readFileSync(path.join(dir, 'proxy.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const line = lines.find((l) => l.exchange);
    expect(line).toBeDefined();
    expect(line.interruptedByShutdown).toBe(true);
    expect(line.msg).toContain('cut short: the proxy was stopping');
    expect(line.level).toBe('warn');
    expect(line.findings.map((f: any) => f.id)).not.toContain('UPSTREAM_UNREACHABLE');
    const har = JSON.parse(readFileSync(path.join(dir, 'live.har'), 'utf8'));
    expect(harSchemaErrors(har)).toEqual([]);
    expect(har.log.entries).toHaveLength(1);
    expect(har.log.entries[0]._interruptedByShutdown).toBe(true);
  }, 120_000);
});
