import path from 'node:path';
import { Readable } from 'node:stream';
import { generateLog, type Expected } from '../../bench/generate-log';
import { ReportBuilder, reportFromFile, reportFromStream, type Report } from '../../src/sinks/report';
import { formatReport } from '../../src/sinks/report-format';
import { tempDir } from '../helpers/tmp';
import { analysis, exchange, finding, logLine } from './fixtures';

describe('report on a generated 5,000-line log', () => {
  const tmp = tempDir('aiproxy-report-');
  const file = path.join(tmp.dir, 'proxy.log');
  let expected: Expected;
  let report: Report;

  beforeAll(async () => {
    expected = await generateLog(file, 5000);
    report = await reportFromFile(file);
  });
  afterAll(() => tmp.cleanup());

  it('counts lines, exchanges, statuses and unparsed lines as generated', () => {
    expect(report.lines).toEqual({
      total: expected.lines,
      exchanges: expected.exchanges,
      other: expected.other,
      unparsed: expected.unparsed,
    });
    expect(report.exchanges.byStatus).toEqual(
      Object.fromEntries(Object.entries(expected.byStatus).map(([k, v]) => [k, v])),
    );
    expect(report.unparsed.map((u) => u.line)).toEqual([997, 1994, 2991, 3988, 4985]);
    expect(report.unparsed[0]!.text).toBe('not a log line 997 {');
  });

  it('counts findings by id, with first/last seen, masked iKeys and identities', () => {
    const byId = Object.fromEntries(report.findings.map((f) => [f.id, f.count]));
    expect(byId).toEqual(expected.findings);
    const role = report.findings.find((f) => f.id === 'ROLE_MISSING')!;
    expect(role.identities).toEqual(['tid=tenant-1 oid=object-403 appid=app-1']);
    expect(role.iKeys).toEqual(['11111111-****-****-****-********5555']);
    expect(role.firstSeen < role.lastSeen).toBe(true);
    expect(report.findings.find((f) => f.id === 'TOKEN_MISSING')!.identities).toEqual([]);
  });

  it('sums telemetry and gives the verdict and ordered next steps', () => {
    expect(report.telemetry).toEqual({
      trackRequests: expected.trackRequests,
      trackAccepted: expected.trackAccepted,
      itemsSent: expected.itemsSent,
      itemsAccepted: expected.itemsAccepted,
    });
    expect(report.verdict.kind).toBe('partial');
    expect(report.verdict.text).toBe(
      `telemetry is reaching the service, but not all of it: ${expected.trackRequests - expected.trackAccepted} of ${expected.trackRequests} track requests failed; first problem: Telemetry sent without an Entra ID token (TOKEN_MISSING, ${expected.findings.TOKEN_MISSING}×)`,
    );
    // A missing token hides a missing role: it comes first.
    expect(report.nextSteps.map((s) => s.id)).toEqual(['TOKEN_MISSING', 'ROLE_MISSING']);
    expect(report.nextSteps[0]!.fix.some((s) => s.startsWith('java: '))).toBe(true);
  });

  it('groups by host and by route', () => {
    expect(Object.keys(report.exchanges.byHost).sort()).toEqual([
      'westus-0.in.applicationinsights.azure.com',
      'westus.livediagnostics.monitor.azure.com',
    ]);
    const track = report.exchanges.byRoute['POST westus-0.in.applicationinsights.azure.com/v2.1/track']!;
    expect(track['401']).toBe(expected.findings.TOKEN_MISSING);
    expect(
      report.exchanges.byRoute['POST westus.livediagnostics.monitor.azure.com/QuickPulseService.svc/ping'],
    ).toBeDefined();
  });

  it('writes text, markdown and json', () => {
    const textOut = formatReport(report, 'text');
    expect(textOut.split('\n')[0]).toBe(`Verdict: ${report.verdict.text}`);
    expect(textOut).toContain('Next steps, in order:\n  1. TOKEN_MISSING: ');
    expect(textOut).toContain('Lines that could not be parsed:\n  line 997: not a log line 997 {');
    const md = formatReport(report, 'markdown');
    expect(md).toContain('**Verdict:** telemetry is reaching the service, but not all of it');
    expect(md).toMatch(/\| ROLE_MISSING \| error \| \d+ \|/);
    expect(JSON.parse(formatReport(report, 'json'))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});

describe('report verdicts', () => {
  const ndjson = (lines: unknown[]) => Readable.from([lines.map((l) => JSON.stringify(l)).join('\n')]);

  it('healthy traffic: telemetry is reaching the service, no next steps', async () => {
    const report = await reportFromStream(ndjson([logLine(), logLine()]));
    expect(report.verdict).toEqual({ kind: 'reaching', text: 'telemetry is reaching the service' });
    expect(report.nextSteps).toEqual([]);
  });

  it('a line too long to read (a binary file given by mistake) is listed as unparsed by its size, and the rest is read', async () => {
    const lines = [JSON.stringify(logLine()), 'x'.repeat(5000), JSON.stringify(logLine())].join('\n');
    const report = await reportFromStream(Readable.from([lines]), 4096);
    expect(report.lines).toEqual({ total: 3, exchanges: 2, other: 0, unparsed: 1 });
    expect(report.unparsed).toEqual([{ line: 2, text: '(a line of 5000 bytes: too long to read)' }]);
  });

  it('only failures: blocked, naming the first problem by stage', async () => {
    const role = logLine({
      exchange: exchange({ status: 403, reason: 'Forbidden' }),
      analysis: analysis(3, 0),
      findings: [finding('ROLE_MISSING', 'error')],
    });
    const trust = logLine({
      exchange: exchange({ response: undefined, error: { kind: 'CLIENT_TLS_REJECTED', message: 'x' } }),
      analysis: undefined,
      findings: [finding('CLIENT_DOES_NOT_TRUST_PROXY_CA', 'error')],
    });
    const report = await reportFromStream(ndjson([role, role, trust]));
    expect(report.verdict).toEqual({
      kind: 'blocked',
      text: 'blocked: CLIENT_DOES_NOT_TRUST_PROXY_CA title (CLIENT_DOES_NOT_TRUST_PROXY_CA, 1×)',
    });
    expect(report.nextSteps.map((s) => s.id)).toEqual(['CLIENT_DOES_NOT_TRUST_PROXY_CA', 'ROLE_MISSING']);
    expect(report.exchanges.byStatus).toEqual({ '403': 2, CLIENT_TLS_REJECTED: 1 });
  });

  it('nothing but startup lines: no telemetry seen', async () => {
    const report = await reportFromStream(
      ndjson([{ level: 'info', msg: 'listening', listening: '127.0.0.1:8888' }]),
    );
    expect(report.verdict.kind).toBe('no-telemetry');
    expect(report.lines).toEqual({ total: 1, exchanges: 0, other: 1, unparsed: 0 });
  });

  it('keeps memory flat: distinct hosts and identities are capped', () => {
    const builder = new ReportBuilder();
    for (let i = 0; i < 500; i++) {
      const ex = exchange();
      ex.request.host = `host-${i}.example`;
      ex.request.authorization!.jwt!.claims.oid = `oid-${i}`;
      builder.addRecord(logLine({ exchange: ex, findings: [finding('IKEY_MISMATCH', 'warning')] }));
    }
    const report = builder.result();
    expect(Object.keys(report.exchanges.byHost)).toHaveLength(51);
    expect(report.exchanges.byHost['(other)']).toBe(450);
    expect(report.findings[0]!.identities).toHaveLength(50);
  });

  it("counts a batch cut at the capture cap by the service's itemsReceived, not the envelopes it kept", () => {
    const builder = new ReportBuilder();
    const cut = analysis(3);
    cut.ingestionResponse!.itemsReceived = 10;
    cut.requestBody = { shape: 'ndjson', documents: 3, invalidLines: 1, truncated: true };
    builder.addRecord(logLine({ analysis: cut }));
    builder.addRecord(logLine({ analysis: analysis(2) }));
    expect(builder.result().telemetry.itemsSent).toBe(12);
  });
});
