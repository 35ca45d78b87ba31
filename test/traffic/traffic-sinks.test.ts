/**
 * A finding across exchanges is its own log line; every reader of the log shows it: the pretty
 * view, the report (as a finding with its fix) and the HAR (in the log's `_findings`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { convertLogToHar } from '../../src/sinks/har-from-log';
import { HarFileSink } from '../../src/sinks/har-sink';
import { formatTextLine } from '../../src/sinks/pretty';
import { ReportBuilder } from '../../src/sinks/report';
import { formatReport } from '../../src/sinks/report-format';
import { SummarySink } from '../../src/sinks/summary-sink';
import { exchange as exchangeLine } from '../sinks/fixtures';
import { tempDir } from '../helpers/tmp';
import { harSchemaErrors } from '../sinks/har-schema';
import { NOW, replay, track } from './traffic-replay';

/** The lines as `start` writes them: pino's level and time around the TrafficLogLine. */
function logText(): string[] {
  const refused = [1, 2].map((s) => track(NOW + s * 1000, { noToken: true, status: 401 }));
  const { lines } = replay(refused, NOW + 3000);
  const asLogged = lines.map((l) =>
    JSON.stringify({
      level: l.traffic.state === 'fired' ? 'warn' : 'info',
      time: new Date(NOW + 1000).toISOString(),
      msg: l.msg,
      traffic: l.traffic,
      findings: l.findings,
    }),
  );
  const exchangeText = JSON.stringify({
    level: 'info',
    time: '2025-01-02T03:04:05.678Z',
    msg: 'POST → 200',
    exchange: exchangeLine(),
    findings: [],
  });
  return [exchangeText, ...asLogged];
}

describe('findings across exchanges in the readers of the log', () => {
  it('pretty shows the line, the finding and its fix steps', () => {
    const text = logText()
      .map((l) => formatTextLine(l, { color: false, onlyFindings: true }))
      .filter(Boolean)
      .join('\n');
    expect(text).toContain('WARN  TRAFFIC (a finding across exchanges)');
    expect(text).toMatch(/WARN +TOKEN_REQUEST_NOT_SEEN: 1 telemetry request/);
    expect(text).toMatch(/fix:\n {8}1\. /);
  });

  it('report counts it as a finding with its fix, and the verdict names it', () => {
    const builder = new ReportBuilder();
    logText().forEach((l, i) => builder.addText(l, i + 1));
    const report = builder.result();
    const finding = report.findings.find((f) => f.id === 'TOKEN_REQUEST_NOT_SEEN');
    expect(finding).toMatchObject({ severity: 'warning', count: 1 });
    expect(finding!.fix.length).toBeGreaterThan(0);
    expect(formatReport(report, 'text')).toContain('TOKEN_REQUEST_NOT_SEEN');
  });

  it('the summary `start` prints when it stops lists it', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const sink = new SummarySink(out);
    const { lines } = replay([track(NOW + 1000, { noToken: true, status: 401 })], NOW + 2000);
    for (const line of lines) sink.writeTraffic(line);
    await sink.close();
    expect(text).toContain('TOKEN_REQUEST_NOT_SEEN');
  });

  it('HAR: the log-level _findings of `har LOGFILE` and of a live --har file', async () => {
    const out = new PassThrough();
    let har = '';
    out.on('data', (c: Buffer) => (har += c.toString()));
    await convertLogToHar(Readable.from(logText().map((l) => `${l}\n`)), out);
    const doc = JSON.parse(har);
    expect(doc.log.entries).toHaveLength(1);
    expect(harSchemaErrors(doc)).toEqual([]);
    expect(doc.log._findings.map((f: { id: string }) => f.id)).toEqual(['TOKEN_REQUEST_NOT_SEEN']);

    const tmp = tempDir('traffic-har-');
    const file = path.join(tmp.dir, 'live.har');
    const sink = new HarFileSink(file);
    const { lines } = replay([track(NOW + 1000, { noToken: true, status: 401 })], NOW + 2000);
    for (const line of lines) sink.writeTraffic(line);
    await sink.close();
    const live = JSON.parse(readFileSync(file, 'utf8'));
    expect(live.log._findings.map((f: { id: string }) => f.id)).toEqual(['TOKEN_REQUEST_NOT_SEEN']);
    tmp.cleanup();
  });
});
