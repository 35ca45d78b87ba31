import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { findCatalogEntry } from '../../src/diagnosis/catalog';
import { guidanceFor } from '../../src/diagnosis/guidance';
import { isGuidanceRef } from '../../src/diagnosis/guidance-ref';
import { logFileSource, serveLogFile } from '../../src/inspector/file-inspector';
import { liveInspector } from '../../src/inspector/live-inspector';
import type { ExchangeLogLine } from '../../src/model/log-line';
import { logSink } from '../../src/sinks/exchange-sink';
import { convertLogFileToHar } from '../../src/sinks/har-from-log';
import { memoryLogger } from '../helpers/memory-logger';
import { formatTextLine } from '../../src/sinks/pretty';
import { reportFromFile } from '../../src/sinks/report';
import {
  bearer,
  exchange,
  fromSender,
  goodClaims,
  NOW,
  NOW_S,
  response,
  SENDERS,
} from '../fixtures/exchanges';
import { tempDir } from '../helpers/tmp';

const CA_PATH = '/home/dev/.appinsights-auth-proxy/ca.pem';
const JAVA = SENDERS.find((s) => s.runtime === 'java')!;

/** A failure storm's lines: an expired token on every POST, from the Java agent. */
function stormLines(count: number): ExchangeLogLine[] {
  return Array.from({ length: count }, (_, i) => {
    const ex = exchange({
      id: `ex-${i}`,
      request: fromSender(JAVA, { authorization: bearer(goodClaims({ exp: NOW_S - 3600 })) }),
      response: response(401, { reason: 'Unauthorized' }),
    });
    const { analysis, findings } = diagnose(ex, {
      connectionStrings: [],
      expectEntra: false,
      caCertPath: CA_PATH,
      now: NOW,
    });
    return { msg: `POST /v2.1/track 401 (${i})`, exchange: ex, analysis, findings };
  });
}

function get(port: number, pathname: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(JSON.parse(text)));
      })
      .on('error', reject);
  });
}

describe('every reader shows the full guidance of a referenced finding, even in a log read from the middle', () => {
  const tmp = tempDir('aiproxy-guidance-ref-');
  const full = path.join(tmp.dir, 'full.log');
  const midway = path.join(tmp.dir, 'midway.log');
  let lines: string[];
  let expected: string; // the full guidance as the first line wrote it
  const page = liveInspector({ title: 'test', caCertPath: CA_PATH });
  const servers: http.Server[] = [];

  beforeAll(() => {
    const { logger, text: written } = memoryLogger();
    // As run-proxy orders them: the log first, then the page (which reuses the log's record).
    const sinks = [logSink(logger, 'failures', 'first'), page.sink];
    for (const line of stormLines(4)) for (const sink of sinks) sink.write(line);
    lines = written().split('\n').filter(Boolean);
    writeFileSync(full, `${lines.join('\n')}\n`);
    // A rotated file or `tail -n 2`: no line of it carries the full text.
    writeFileSync(midway, `${lines.slice(2).join('\n')}\n`);
    expected = JSON.stringify(JSON.parse(lines[0]!).findings[0].guidance);
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    tmp.cleanup();
  });

  it('the log: first line full, the others references (and much shorter)', () => {
    const findings = lines.map((l) => JSON.parse(l).findings.find((f: any) => f.id === 'TOKEN_EXPIRED'));
    expect(isGuidanceRef(findings[0].guidance)).toBe(false);
    expect(findings[0].guidance.runtimeFix.join(' ')).toMatch(/Java|JVM|agent/);
    for (const f of findings.slice(1)) expect(f.guidance).toEqual({ ref: 'TOKEN_EXPIRED', runtime: 'java' });
    expect(lines[1]!.length).toBeLessThan(lines[0]!.length - 1000);
    // What the reference stands for is exactly what the catalog gives for this exchange.
    const entry = findCatalogEntry('TOKEN_EXPIRED')!;
    expect(JSON.stringify(guidanceFor(entry, 'java', { caCertPath: CA_PATH }))).toBe(expected);
  });

  it('pretty: the readable view of a mid-way line shows why, fix and the runtime steps', () => {
    const entry = findCatalogEntry('TOKEN_EXPIRED')!;
    const shown = formatTextLine(readFileSync(midway, 'utf8').split('\n')[0]!, {
      color: false,
      onlyFindings: false,
      guidanceShown: new Set(),
    })!;
    expect(shown).toContain(`why: ${entry.why}`);
    for (const step of entry.fix) expect(shown).toContain(step);
    for (const step of entry.fixByRuntime!.java!) expect(shown).toContain(step);
  });

  it('report: the next steps of a mid-way log are the same as of the whole log', async () => {
    const fromFull = await reportFromFile(full);
    const fromMidway = await reportFromFile(midway);
    const steps = (r: typeof fromFull) => r.findings.find((f) => f.id === 'TOKEN_EXPIRED')!;
    expect(steps(fromMidway).fix.length).toBeGreaterThan(2);
    expect(steps(fromMidway).fix).toEqual(steps(fromFull).fix);
    expect(steps(fromMidway).learnMore).toEqual(steps(fromFull).learnMore);
  });

  it('har: the findings of each entry carry the full guidance', async () => {
    const harFile = path.join(tmp.dir, 'midway.har');
    await convertLogFileToHar(midway, harFile);
    const har = JSON.parse(readFileSync(harFile, 'utf8'));
    expect(har.log.entries).toHaveLength(2);
    for (const entry of har.log.entries) {
      const finding = entry._findings.find((f: any) => f.id === 'TOKEN_EXPIRED');
      expect(JSON.stringify(finding.guidance)).toBe(expected);
    }
  });

  it('inspect (the page over a saved log): record and detail show the full guidance', async () => {
    const { source } = await logFileSource(midway);
    const { server, url } = await serveLogFile(source, '127.0.0.1', 0);
    servers.push(server);
    const port = Number(new URL(url).port);
    const answer = await get(port, `/api/sessions/${source.history.all()[0]!.seq}`);
    const finding = answer.record.findings.find((f: any) => f.id === 'TOKEN_EXPIRED');
    expect(JSON.stringify(finding.guidance)).toBe(expected);
    const view = answer.detail.findings.find((f: any) => f.id === 'TOKEN_EXPIRED');
    expect(view.why).toBe(JSON.parse(expected).why);
    expect(view.runtimeFix).toEqual(JSON.parse(expected).runtimeFix);
  });

  it('the live page keeps references in its history and serves the full guidance', async () => {
    const stored = page.source.history.all();
    expect(stored).toHaveLength(4);
    for (const s of stored.slice(1)) expect(s.json).toContain('"guidance":{"ref":"TOKEN_EXPIRED"');
    const server = http.createServer((req, res) => {
      if (!page.route.handle((req.url ?? '/').split('?')[0]!, req, res)) res.writeHead(404).end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    for (const s of stored) {
      const answer = await get(port, `/api/sessions/${s.seq}`);
      const finding = answer.record.findings.find((f: any) => f.id === 'TOKEN_EXPIRED');
      expect(JSON.stringify(finding.guidance)).toBe(expected);
    }
    const summary = page.source.report().findings.find((f) => f.id === 'TOKEN_EXPIRED')!;
    expect(summary.count).toBe(4);
    expect(summary.fix.length).toBeGreaterThan(2);
  });
});
