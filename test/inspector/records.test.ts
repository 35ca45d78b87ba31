import { writeFileSync } from 'node:fs';
import { loadedSummary, logFileSource } from '../../src/inspector/file-inspector';
import { tempDir } from '../helpers/tmp';
import { diagnose } from '../../src/diagnosis';
import { parseLogLine } from '../../src/model/log-line';
import type { ExchangeLogLine } from '../../src/model/log-line';
import { curlCommand } from '../../src/inspector/curl';
import { sessionDetail } from '../../src/inspector/session-detail';
import { SessionHistory } from '../../src/inspector/session-history';
import { sessionRow } from '../../src/inspector/session-row';
import { uiDecision, pageUrl } from '../../src/inspector/ui-decision';
import { compileFilter, filterFromQuery, filterToQuery } from '../../web/src/filter';
import {
  body,
  envelope,
  exchange,
  failedExchange,
  goodClaims,
  bearer,
  ingestionBody,
  jwtString,
  NOW_S,
  response,
  trackBody,
  STATSBEAT_IKEY,
} from '../fixtures/exchanges';

function line(ex = exchange()): ExchangeLogLine {
  const { analysis, findings } = diagnose(ex, { connectionStrings: [], expectEntra: false });
  return { msg: 'x', exchange: ex, analysis, findings };
}

describe('the log-line parser', () => {
  it('tells exchanges, other records and broken lines apart, and fills what readers rely on', () => {
    expect(parseLogLine('not json').kind).toBe('unparsed');
    expect(parseLogLine('[1,2]').kind).toBe('unparsed');
    expect(parseLogLine('{"msg":"listening"}').kind).toBe('other');
    expect(parseLogLine('{"exchange":{"request":{"host":"h"}}}').kind).toBe('unparsed');
    const parsed = parseLogLine(
      JSON.stringify({ exchange: { id: 'a', request: { method: 'GET', host: 'h' } } }),
    );
    expect(parsed.kind).toBe('exchange');
    if (parsed.kind !== 'exchange') return;
    expect(parsed.line.findings).toEqual([]);
    expect(parsed.line.exchange.request.headers).toEqual({});
    expect(parsed.line.exchange.request.path).toBe('/');
    expect(() => sessionRow(1, parsed.line)).not.toThrow();
    expect(() => sessionDetail(parsed.line)).not.toThrow();
  });
});

describe('session rows', () => {
  it('say what the list shows: status, v2.1, auth audience and expiry, items, runtime, findings by severity', () => {
    const ex = exchange({
      request: { authorization: bearer(goodClaims({ exp: NOW_S - 3600 })) },
      response: response(401, { reason: 'Unauthorized', body: ingestionBody(2, 0) }),
    });
    const row = sessionRow(7, line(ex));
    expect(row).toMatchObject({
      seq: 7,
      status: 401,
      method: 'POST',
      apiVersion: 'v2.1',
      channel: 'track',
      auth: { scheme: 'Bearer', aud: 'https://monitor.azure.com', exp: NOW_S - 3600 },
      itemsSent: 2,
      itemsAccepted: 0,
      durationMs: 45,
      level: 'error',
    });
    expect(row.findings[0]).toEqual({ id: 'TOKEN_EXPIRED', severity: 'error' });
    expect(sessionRow(1, line(exchange({ request: { path: '/v2/track' } }))).apiVersion).toBe('v2');
  });

  it('show what never became an HTTP exchange: TLS refused by the client, upstream unreachable', () => {
    const tls = sessionRow(1, line(failedExchange('CLIENT_TLS_REJECTED', { alert: 'unknown ca' })));
    expect(tls).toMatchObject({ error: 'CLIENT_TLS_REJECTED', level: 'error', method: 'CONNECT' });
    expect(tls.status).toBeUndefined();
    expect(tls.findings.map((f) => f.id)).toContain('CLIENT_DOES_NOT_TRUST_PROXY_CA');
    const down = sessionRow(2, line(failedExchange('UPSTREAM_REFUSED', { code: 'ECONNREFUSED' })));
    expect(down).toMatchObject({ error: 'UPSTREAM_REFUSED', level: 'error' });
    expect(down.findings.map((f) => f.id)).toContain('UPSTREAM_UNREACHABLE');
    expect(compileFilter(filterFromQuery('?q=status%3Aupstream_refused'))(down)).toBe(true);
  });

  it('puts SDK self-telemetry on its own channel', () => {
    const ex = exchange({
      request: { body: trackBody([envelope({ iKey: STATSBEAT_IKEY, name: 'Statsbeat' })]) },
    });
    expect(sessionRow(1, line(ex)).channel).toBe('statsbeat');
  });

  it('hold text where the page draws text, whatever JSON a saved log has there', () => {
    // One such value used to stop the page drawing any row (appendChild of a non-Node).
    const odd = line(exchange({ response: null })) as unknown as Record<string, any>;
    odd.exchange.error = { kind: { code: 1 }, message: 'm' };
    odd.exchange.request.authorization = {
      scheme: ['Bearer'],
      malformed: { x: 1 },
      jwt: { claims: { aud: {} } },
    };
    odd.analysis.sdk = { name: 'java' };
    odd.findings = [{ id: 'X', severity: { level: 'error' } }];
    const row = sessionRow(1, odd as ExchangeLogLine);
    expect(row).toMatchObject({
      error: 'error',
      auth: { scheme: '?' },
      findings: [{ id: 'X', severity: 'info' }],
    });
    expect(row.runtime).toBeUndefined();
    expect(row.auth).toEqual({ scheme: '?' });
    const answered = line() as unknown as Record<string, any>;
    answered.exchange.response.status = { code: 200 };
    answered.exchange.response.reason = ['OK'];
    const row2 = sessionRow(2, answered as ExchangeLogLine);
    expect(row2.status).toBeUndefined();
    expect(row2.reason).toBeUndefined();
  });
});

describe('session detail', () => {
  it('joins envelopes (NDJSON) with the per-item errors by index, and shows claims against the expected audience', () => {
    const ex = exchange({
      request: {
        authorization: bearer(goodClaims({ aud: 'https://management.azure.com' })),
        body: trackBody(
          [
            envelope(),
            envelope({ name: 'Microsoft.ApplicationInsights.Exception', baseType: 'ExceptionData' }),
            envelope(),
          ],
          'ndjson',
        ),
      },
      response: response(206, {
        body: ingestionBody(3, 2, [
          { index: 1, statusCode: 400, message: 'Field baseData is required' },
          { index: 9, statusCode: 500, message: 'x' },
        ]),
      }),
    });
    const detail = sessionDetail(line(ex));
    expect(detail.envelopes.shape).toBe('ndjson');
    expect(detail.envelopes.rows.map((r) => [r.index, r.type, r.error?.statusCode])).toEqual([
      [0, 'RequestData', undefined],
      [1, 'ExceptionData', 400],
      [2, 'RequestData', undefined],
    ]);
    expect(detail.envelopes.rows[0]!.iKey).toBe('11111111-****-****-****-********5555');
    expect(detail.envelopes.unmatchedErrors).toEqual([{ index: 9, statusCode: 500, message: 'x' }]);
    const aud = detail.claims.find((c) => c.name === 'aud')!;
    expect(aud).toMatchObject({ value: 'https://management.azure.com', ok: false });
    expect(aud.expected).toContain('https://monitor.azure.com');
    expect(detail.claims.find((c) => c.name === 'exp')!.epochSeconds).toBe(NOW_S + 3600);
  });

  it('shows a token whose exp is beyond the calendar (1e20) instead of failing the detail', () => {
    const ex = exchange({ request: { authorization: bearer(goodClaims({ exp: 1e20 })) } });
    const exp = sessionDetail(line(ex)).claims.find((c) => c.name === 'exp')!;
    expect(exp).toMatchObject({ value: '100000000000000000000', epochSeconds: 1e20 });
  });

  it('puts the runtime fix first and folds the other runtimes, from the catalog', () => {
    const ex = exchange({
      request: { authorization: undefined },
      response: response(401, { body: ingestionBody(2, 0) }),
    });
    const detail = sessionDetail(line(ex));
    const missing = detail.findings.find((f) => f.id === 'TOKEN_MISSING')!;
    expect(missing.runtime).toBe('node');
    expect(missing.runtimeFix.length).toBeGreaterThan(0);
    expect(missing.otherRuntimes.map((o) => o.runtime)).toEqual(
      expect.arrayContaining(['java', 'python', 'dotnet']),
    );
    expect(missing.otherRuntimes.map((o) => o.runtime)).not.toContain('node');
    expect(missing.learnMore[0]!.url).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  });
});

describe('session detail of a saved log', () => {
  it('gives the pane text where it draws text, whatever JSON the log has in a finding', () => {
    // The log's own full guidance is shown as written: an object there broke the pane.
    const odd = line() as unknown as Record<string, any>;
    odd.findings = [
      {
        id: 'X',
        severity: 'error',
        title: { a: 1 },
        guidance: { why: 7, fix: 'run x', runtimeFix: [{ s: 1 }], learnMore: {} },
      },
    ];
    const [view] = sessionDetail(odd as ExchangeLogLine).findings;
    expect(view).toMatchObject({
      title: '{"a":1}',
      why: '7',
      fix: [],
      runtimeFix: ['{"s":1}'],
      learnMore: [],
    });
  });
});

describe('copy as curl', () => {
  it('carries a $TOKEN placeholder, never the token, and quotes what came from traffic', () => {
    const token = jwtString(goodClaims());
    const ex = exchange({
      request: {
        authorization: bearer(goodClaims()),
        headers: {
          'content-type': 'application/json',
          'x-evil': "a'$(touch /tmp/pwned)'b",
          'content-encoding': 'gzip',
        },
        body: body(`[{"name":"it's $(id)"}]`),
      },
    });
    const curl = curlCommand(ex);
    expect(curl).toContain('"Authorization: Bearer $TOKEN"');
    expect(curl).not.toContain(token.split('.')[2]!);
    expect(curl).toContain(`-H 'x-evil: a'\\''$(touch /tmp/pwned)'\\''b'`);
    expect(curl).toContain(`--data-binary '[{"name":"it'\\''s $(id)"}]'`);
    expect(curl).not.toMatch(/content-encoding/i);
  });

  it('keeps text from a saved log inside its comment lines: a line break there cannot start a command', () => {
    // `inspect` reads logs from anywhere; the page copies this text for pasting into a shell.
    const hostile = 'x)\ntouch /tmp/pwned\r# (';
    const ex = exchange({
      request: { body: { size: 5, captured: 0, truncated: false, omitted: hostile as 'healthy' } },
    });
    const lines = curlCommand(ex).split(/[\n\r]/);
    expect(lines.filter((l) => !l.startsWith('#'))).toEqual([expect.stringMatching(/^curl /)]);
    expect(lines[0]).toContain('x)\\ntouch /tmp/pwned\\r# (');
  });
});

describe('the history', () => {
  it('keeps the last N entries and stays under its byte ceiling', () => {
    const byCount = new SessionHistory(3, 10_000_000);
    for (let i = 0; i < 10; i++) byCount.add(line());
    expect(byCount.rows().map((r) => r.seq)).toEqual([8, 9, 10]);
    expect(byCount.dropped).toBe(7);
    const one = JSON.stringify(line()).length;
    const byBytes = new SessionHistory(1000, one * 4);
    for (let i = 0; i < 50; i++) byBytes.add(line());
    expect(byBytes.byteSize).toBeLessThanOrEqual(one * 4);
    expect(byBytes.size).toBeGreaterThan(0);
    expect(byBytes.size).toBeLessThan(5);
    expect(() => new SessionHistory(0)).toThrow();
  });
});

describe('the filter in the URL', () => {
  it('round-trips, and matches status classes, paths, findings and channels', () => {
    const f = filterFromQuery(
      '?q=status%3A4xx+westus&failures=1&self=hide&finding=TOKEN_EXPIRED&channels=track,live&open=3',
    );
    expect(filterFromQuery(filterToQuery(f))).toEqual(f);
    const bad = sessionRow(
      1,
      line(
        exchange({
          request: { authorization: bearer(goodClaims({ exp: NOW_S - 3600 })) },
          response: response(401, { body: ingestionBody(2, 0) }),
        }),
      ),
    );
    const ok = sessionRow(2, line());
    expect(compileFilter(f)(bad)).toBe(true);
    expect(compileFilter(f)(ok)).toBe(false);
    expect(compileFilter(filterFromQuery('?channels=live'))(bad)).toBe(false);
    expect(compileFilter(filterFromQuery('?q=path%3Av2.1+method%3Apost'))(ok)).toBe(true);
  });
});

describe('whether start serves the page', () => {
  it('on loopback by default; elsewhere only with --proxy-auth or --ui true, and says why', () => {
    expect(uiDecision(undefined, '127.0.0.1', undefined)).toEqual({ enabled: true });
    expect(uiDecision(undefined, '::1', undefined).enabled).toBe(true);
    expect(uiDecision(false, '127.0.0.1', undefined).enabled).toBe(false);
    const off = uiDecision(undefined, '0.0.0.0', undefined);
    expect(off.enabled).toBe(false);
    expect(off.note).toMatch(/--proxy-auth/);
    expect(uiDecision(undefined, '0.0.0.0', 'u:p').enabled).toBe(true);
    expect(uiDecision(true, '0.0.0.0', undefined)).toMatchObject({
      enabled: true,
      note: expect.stringMatching(/anyone/),
    });
    expect(pageUrl('0.0.0.0', 8888)).toBe('http://127.0.0.1:8888/');
    expect(pageUrl('::1', 8888)).toBe('http://[::1]:8888/');
  });
});

describe('a saved log with odd lines', () => {
  it('loads what it can, counts the rest, and each odd record still opens or answers an error', async () => {
    const tmp = tempDir('aiproxy-odd-log-');
    try {
      const file = `${tmp.dir}/odd.log`;
      const good = JSON.stringify({ level: 30, time: 1, ...line() });
      const odd = [
        '{"exchange":{"id":1,"request":{"method":"POST","host":"h","authorization":"x","headers":null},"timings":5},"findings":[{"id":"X","guidance":"bad"}],"analysis":{"envelopes":5}}',
        '{"exchange":{"request":{"method":"GET","host":"h","body":{"text":7}},"response":{"status":"x"}},"findings":"none"}',
        'garbage',
        '{"msg":"listening"}',
      ];
      writeFileSync(file, [good, ...odd, good].join('\n'));
      const { source, counts } = await logFileSource(file);
      expect(counts).toEqual({ lines: 6, exchanges: 4, unparsed: 1 });
      expect(source.report().lines.exchanges).toBe(4);
      for (const stored of source.history.all()) {
        const record = JSON.parse(stored.json);
        try {
          sessionDetail(record);
        } catch (err) {
          expect(err).toBeInstanceOf(Error); // the route answers 500 for this one record
        }
      }
      source.feed.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('what inspect says it loaded', () => {
  it('counts what the page holds: the byte ceiling can keep fewer than --ui-history', async () => {
    const tmp = tempDir('aiproxy-big-log-');
    try {
      const file = `${tmp.dir}/big.log`;
      const big = (i: number) =>
        JSON.stringify({
          level: 50,
          time: i,
          ...line(exchange({ id: `ex-${i}`, request: { body: body('x'.repeat(300_000)) } })),
        });
      writeFileSync(file, Array.from({ length: 10 }, (_, i) => big(i)).join('\n'));
      const byCount = await logFileSource(file, 4);
      expect(loadedSummary('big.log', byCount)).toBe(
        'big.log: 10 exchanges (showing the last 4), 0 lines not parsed',
      );
      const byBytes = await logFileSource(file, 1000, 2 ** 20);
      const held = byBytes.source.history.size;
      expect(held).toBeLessThan(4);
      expect(loadedSummary('big.log', byBytes)).toBe(
        `big.log: 10 exchanges (showing the last ${held}: the page keeps at most 1 MB of records), 0 lines not parsed`,
      );
      byCount.source.feed.close();
      byBytes.source.feed.close();
    } finally {
      tmp.cleanup();
    }
  });
});

describe('a saved log with a line too long to read', () => {
  it("counts it as not parsed and reads on (a line past V8's string limit killed inspect)", async () => {
    const tmp = tempDir('aiproxy-long-line-');
    try {
      const file = `${tmp.dir}/long.log`;
      const ok = (i: number) => JSON.stringify({ level: 30, time: i, ...line(exchange({ id: `ex-${i}` })) });
      const long = JSON.stringify({
        level: 30,
        ...line(exchange({ request: { body: body('x'.repeat(20_000)) } })),
      });
      writeFileSync(file, [ok(1), long, ok(2)].join('\n'));
      const { source, counts } = await logFileSource(file, 1000, 64 * 2 ** 20, 10_000);
      expect(counts).toEqual({ lines: 3, exchanges: 2, unparsed: 1 });
      expect(source.history.rows().map((r) => r.id)).toEqual(['ex-1', 'ex-2']);
      expect(source.report().unparsed[0]).toEqual({
        line: 2,
        text: expect.stringMatching(/too long to read/),
      });
      source.feed.close();
    } finally {
      tmp.cleanup();
    }
  });
});
