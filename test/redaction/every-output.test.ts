import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { convertLogFileToHar } from '../../src/sinks/har-from-log';
import { HarFileSink } from '../../src/sinks/har-sink';
import { formatTextLine } from '../../src/sinks/pretty';
import { reportFromFile } from '../../src/sinks/report';
import { formatReport } from '../../src/sinks/report-format';
import { httpsViaProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { sha256, startUpstream, type TestUpstream } from '../helpers/upstream';
import { harSchemaErrors } from '../sinks/har-schema';
import { corpusRequests, leaksIn, secretShapes } from './secret-corpus';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * The secret corpus through a real proxy run: every secret shape × every place it can sit, and
 * then every output the proxy has: stdout (JSON), the log file, the live HAR, the HAR made from
 * the log, the report (text, markdown, JSON), the readable view and the inspector page's data
 * (its session list and every session's detail, as the browser gets them). Zero hits allowed.
 */
async function pageData(port: number): Promise<string> {
  const get = async (p: string) => (await fetch(`http://127.0.0.1:${port}${p}`)).text();
  const list = await get('/api/sessions');
  const rows = (JSON.parse(list) as { rows: { seq: number }[] }).rows;
  const details = await Promise.all(rows.map((r) => get(`/api/sessions/${r.seq}`)));
  return [list, ...details].join('\n');
}

describe('no secret reaches any output (generated corpus)', () => {
  const tmp = tempDir('aiproxy-corpus-');
  const logFile = path.join(tmp.dir, 'proxy.log');
  const liveHar = path.join(tmp.dir, 'live.har');
  const fromLogHar = path.join(tmp.dir, 'from-log.har');
  const shapes = secretShapes();
  const requests = corpusRequests(shapes);
  const outputs: Record<string, string> = {};
  let upstream: TestUpstream;
  let proxy: TestProxy;
  const sent: { sha: string; size: number }[] = [];

  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    const byPlace = new Map(requests.map((r, i) => [String(i), r]));
    upstream.handler = (req, res) => {
      const r = byPlace.get(String(req.headers['x-corpus'] ?? ''));
      if (r?.reply.reason) res.writeHead(400, r.reply.reason, r.reply.headers);
      else res.writeHead(400, r?.reply.headers ?? {});
      res.end(r?.reply.body ?? '');
    };
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    proxy = await startTestProxy({
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
      logFile,
      logBodies: 'all',
      sinks: [new HarFileSink(liveHar, 'all')],
      inspector: { ui: true, history: 1000 },
    });
    for (const [i, r] of requests.entries()) {
      const reply = await httpsViaProxy({
        proxyPort: proxy.port,
        ca: proxy.caPem,
        host: HOST,
        path: r.path,
        method: r.body ? 'POST' : 'GET',
        headers: { 'x-corpus': String(i), ...r.headers },
        body: r.body,
      });
      expect(reply.status).toBe(400);
      sent.push({ sha: sha256(r.body ?? Buffer.alloc(0)), size: r.body?.length ?? 0 });
    }
    await proxy.waitForExchanges(requests.length, 60_000);
    outputs.stdout = proxy.raw();
    outputs.page = await pageData(proxy.port);
    await proxy.close();
    outputs.logFile = readFileSync(logFile, 'utf8');
    outputs.liveHar = readFileSync(liveHar, 'utf8');
    await convertLogFileToHar(logFile, fromLogHar);
    outputs.harFromLog = readFileSync(fromLogHar, 'utf8');
    const report = await reportFromFile(logFile);
    outputs.reportText = formatReport(report, 'text');
    outputs.reportMarkdown = formatReport(report, 'markdown');
    outputs.reportJson = formatReport(report, 'json');
    outputs.pretty = outputs.logFile
      .split('\n')
      .map((l) => formatTextLine(l, { color: false, onlyFindings: false }) ?? '')
      .join('\n');
  }, 180_000);
  afterAll(async () => {
    await upstream?.close();
    tmp.cleanup();
  });

  it('covers every shape in every place, and the upstream got every byte unchanged', () => {
    expect(shapes.length).toBeGreaterThanOrEqual(16);
    expect(new Set(requests.map((r) => r.place)).size).toBeGreaterThanOrEqual(13);
    expect(proxy.exchanges()).toHaveLength(requests.length);
    const seen = upstream.seen.map((s) => `${s.sha256}/${s.size}`).sort();
    expect(seen).toEqual(sent.map((s) => `${s.sha}/${s.size}`).sort());
  });

  it('the outputs hold the exchanges (so a clean result is not an empty file)', () => {
    expect(JSON.parse(outputs.liveHar!).log.entries).toHaveLength(requests.length);
    expect(harSchemaErrors(JSON.parse(outputs.liveHar!))).toEqual([]);
    expect(harSchemaErrors(JSON.parse(outputs.harFromLog!))).toEqual([]);
    expect(outputs.logFile!.split('\n').filter(Boolean).length).toBeGreaterThan(requests.length);
    expect(outputs.reportText).toContain(HOST);
    expect((JSON.parse(outputs.page!.split('\n')[0]!) as { rows: unknown[] }).rows).toHaveLength(
      requests.length,
    );
    // The startup line's settings stay copy-pasteable (a public default is not a secret).
    expect(outputs.stdout).toContain('-Djavax.net.ssl.trustStorePassword=changeit');
    // What the log shows instead of a secret is there.
    expect(outputs.logFile).toContain('[redacted]');
    expect(outputs.logFile).toMatch(/[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{8}[0-9a-f]{4}/);
  });

  it.each([
    'stdout',
    'logFile',
    'liveHar',
    'harFromLog',
    'reportText',
    'reportMarkdown',
    'reportJson',
    'pretty',
    'page',
  ])('%s: zero secrets', (output) => {
    expect(outputs[output]).toBeTruthy();
    expect(leaksIn(outputs[output]!, shapes)).toEqual([]);
  });
});
