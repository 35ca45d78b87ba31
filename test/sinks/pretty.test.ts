import { PassThrough } from 'node:stream';
import { formatLogLine, formatTextLine } from '../../src/sinks/pretty';
import { PrettyTransform } from '../../src/sinks/pretty-stream';
import { analysis, exchange, finding, logLine } from './fixtures';

const plain = { color: false, onlyFindings: false };
const text = (...lines: string[]) => lines.join('\n');
const HEAD = '03:04:05.800';
const URL = 'POST westus-0.in.applicationinsights.azure.com/v2.1/track';

describe('pretty: one exchange, as people read it', () => {
  it('a healthy exchange is one line: time, level, method, host, path, status, duration, items', () => {
    expect(formatLogLine(logLine(), plain)).toBe(
      `${HEAD} INFO  ${URL} → 200 OK (45 ms, 3 items, 3/3 accepted)`,
    );
  });

  it('an info finding adds its title and evidence, without fix steps', () => {
    const line = logLine({
      findings: [finding('SDK_SELF_TELEMETRY', 'info', { evidence: { iKeys: ['c4a2****'] } })],
    });
    expect(formatLogLine(line, plain)).toBe(
      text(
        `${HEAD} INFO  ${URL} → 200 OK (45 ms, 3 items, 3/3 accepted)`,
        '  INFO  SDK_SELF_TELEMETRY: SDK_SELF_TELEMETRY title',
        '      evidence: iKeys=c4a2****',
      ),
    );
  });

  it('a warning shows title, evidence, why, fix steps, runtime steps and links, indented', () => {
    const line = logLine({
      level: 'warn',
      exchange: exchange({ status: 206, reason: 'Partial Content' }),
      analysis: analysis(3, 2),
      findings: [
        finding('PARTIAL_ACCEPTANCE', 'warning', { evidence: { itemsReceived: 3, itemsAccepted: 2 } }),
      ],
    });
    expect(formatLogLine(line, plain)).toBe(
      text(
        `${HEAD} WARN  ${URL} → 206 Partial Content (45 ms, 3 items, 2/3 accepted)`,
        '  WARN  PARTIAL_ACCEPTANCE: PARTIAL_ACCEPTANCE title',
        '      evidence: itemsReceived=3 itemsAccepted=2',
        '      why: PARTIAL_ACCEPTANCE why',
        '      fix:',
        '        1. PARTIAL_ACCEPTANCE fix one',
        '        2. PARTIAL_ACCEPTANCE fix two',
        '      java:',
        '        1. PARTIAL_ACCEPTANCE java step',
        '      learn more: https://learn.microsoft.com/x',
      ),
    );
  });

  it('an error shows the same shape under an ERROR headline', () => {
    const line = logLine({
      level: 'error',
      exchange: exchange({ status: 401, reason: 'Unauthorized' }),
      analysis: analysis(3, 0),
      findings: [finding('TOKEN_MISSING', 'error')],
    });
    expect(formatLogLine(line, plain)).toBe(
      text(
        `${HEAD} ERROR ${URL} → 401 Unauthorized (45 ms, 3 items, 0/3 accepted)`,
        '  ERROR TOKEN_MISSING: TOKEN_MISSING title',
        '      evidence: status=401 header=authorization',
        '      why: TOKEN_MISSING why',
        '      fix:',
        '        1. TOKEN_MISSING fix one',
        '        2. TOKEN_MISSING fix two',
        '      java:',
        '        1. TOKEN_MISSING java step',
        '      learn more: https://learn.microsoft.com/x',
      ),
    );
  });

  it('an exchange without an answer shows the failure kind and alert', () => {
    const failed = exchange({
      response: undefined,
      error: { kind: 'CLIENT_TLS_REJECTED', message: 'alert', alert: 'unknown ca' },
    });
    failed.timings = { start: failed.timings.start, total: 3 };
    const line = logLine({ level: 'error', exchange: failed, analysis: undefined, findings: [] });
    expect(formatLogLine(line, plain)).toBe(`${HEAD} ERROR ${URL} → CLIENT_TLS_REJECTED (unknown ca) (3 ms)`);
  });

  it('the startup line carries the env and Java flags to copy; tunnels are one line', () => {
    const startup = {
      level: 'info',
      time: '2025-01-02T03:04:00.000Z',
      msg: 'appinsights-auth-proxy listening on 127.0.0.1:8888; CA created at certs/ca.pem',
      listening: '127.0.0.1:8888',
      env: 'HTTPS_PROXY=http://127.0.0.1:8888 NODE_EXTRA_CA_CERTS=certs/ca.pem',
      javaFlags: '-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=8888',
    };
    expect(formatLogLine(startup, plain)).toBe(
      text(
        '03:04:00.000 INFO  appinsights-auth-proxy listening on 127.0.0.1:8888; CA created at certs/ca.pem',
        '      env: HTTPS_PROXY=http://127.0.0.1:8888 NODE_EXTRA_CA_CERTS=certs/ca.pem',
        '      java: -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=8888',
      ),
    );
    const tunnel = {
      level: 'info',
      time: '2025-01-02T03:04:01.000Z',
      msg: 'TUNNEL x',
      tunnel: { target: 'example.com:443', bytesUp: 10, bytesDown: 20, durationMs: 5 },
    };
    expect(formatLogLine(tunnel, plain)).toBe(
      '03:04:01.000 INFO  TUNNEL example.com:443 (not intercepted) ↑10 B ↓20 B 5 ms',
    );
    expect(formatLogLine({ level: 'warn', time: tunnel.time, msg: 'careful', detail: { a: 1 } }, plain)).toBe(
      '03:04:01.000 WARN  careful detail={"a":1}',
    );
  });

  it('--only-findings hides healthy exchanges and clean tunnels, keeps problems', () => {
    const options = { color: false, onlyFindings: true };
    expect(formatLogLine(logLine(), options)).toBeUndefined();
    expect(
      formatLogLine(logLine({ findings: [finding('SDK_SELF_TELEMETRY', 'info')] }), options),
    ).toBeUndefined();
    expect(formatLogLine(logLine({ findings: [finding('ROLE_MISSING', 'error')] }), options)).toContain(
      'ROLE_MISSING',
    );
    expect(formatLogLine({ level: 'info', msg: 't', tunnel: { target: 'a:443' } }, options)).toBeUndefined();
    expect(formatLogLine({ level: 'info', msg: 'listening', listening: 'x' }, options)).toContain(
      'listening',
    );
  });

  it('colours only when asked; the plain text has no escape codes', () => {
    const line = logLine({ level: 'error', findings: [finding('TOKEN_MISSING', 'error')] });
    expect(formatLogLine(line, plain)).not.toContain('\x1b[');
    expect(formatLogLine(line, { color: true, onlyFindings: false })).toContain('\x1b[31m');
    expect(formatLogLine(logLine(), { color: true, onlyFindings: false })).toContain('\x1b[32m');
  });

  it('fix steps are printed for the first occurrence of a finding only, when asked', () => {
    const shown = new Set<string>();
    const line = logLine({ level: 'error', findings: [finding('TOKEN_MISSING', 'error')] });
    expect(formatLogLine(line, { ...plain, guidanceShown: shown })).toContain('fix one');
    const second = formatLogLine(line, { ...plain, guidanceShown: shown })!;
    expect(second).not.toContain('fix one');
    expect(second).toContain('fix: see the first TOKEN_MISSING above');
  });

  it('text that is not a JSON object passes through unchanged', () => {
    expect(formatTextLine('plain text', plain)).toBe('plain text');
    expect(formatTextLine('{broken', plain)).toBe('{broken');
    expect(formatTextLine('[1,2]', plain)).toBe('[1,2]');
  });
});

describe('PrettyTransform: NDJSON in arbitrary chunks', () => {
  it('joins split lines, keeps order, and flushes a last line without newline', async () => {
    const view = new PrettyTransform({ color: false, onlyFindings: false });
    const out = new PassThrough();
    view.pipe(out);
    let result = '';
    out.on('data', (c: Buffer) => (result += c.toString()));
    const ndjson = `${JSON.stringify(logLine())}\nnot json\r\n${JSON.stringify(logLine({ level: 'error', findings: [finding('TOKEN_MISSING', 'error')] }))}`;
    const bytes = Buffer.from(ndjson);
    for (let i = 0; i < bytes.length; i += 7) view.write(bytes.subarray(i, i + 7));
    view.end();
    await new Promise((resolve) => out.on('end', resolve));
    const lines = result.split('\n');
    expect(lines[0]).toBe(`${HEAD} INFO  ${URL} → 200 OK (45 ms, 3 items, 3/3 accepted)`);
    expect(lines[1]).toBe('not json');
    expect(lines[2]).toMatch(/^03:04:05\.800 ERROR POST /);
    expect(lines[3]).toBe('  ERROR TOKEN_MISSING: TOKEN_MISSING title');
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const view = new PrettyTransform({ color: false, onlyFindings: false });
    let result = '';
    view.on('data', (c: Buffer) => (result += c.toString()));
    const bytes = Buffer.from('héllo → wörld\n');
    for (let i = 0; i < bytes.length; i += 1) view.write(bytes.subarray(i, i + 1));
    view.end();
    await new Promise((resolve) => view.on('end', resolve));
    expect(result).toBe('héllo → wörld\n');
  });
});
