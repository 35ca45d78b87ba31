import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../src/model/finding';
import type { ExchangeLogLine } from '../../src/model/log-line';
import { memoryLogger } from '../helpers/memory-logger';
import { logSink } from '../../src/sinks/exchange-sink';
import { HarFileSink } from '../../src/sinks/har-sink';
import { failureKind, RepeatBudget, REPEATED_BODIES_PER_WINDOW } from '../../src/sinks/repeat-budget';
import { exchange, ingestionBody, response } from '../fixtures/exchanges';
import { tempDir } from '../helpers/tmp';
import { finding } from './fixtures';

const expired = finding('TOKEN_EXPIRED', 'error');
const wrongRole = finding('ROLE_MISSING', 'error');

function failure(findings: Finding[], status = 401): ExchangeLogLine {
  return {
    msg: `POST /v2.1/track → ${status}`,
    exchange: exchange({ response: response(status, { body: '{"error":"expired"}' }) }),
    findings,
  };
}

function memoryLog(bodies: 'failures' | 'all' = 'failures') {
  const { logger, text } = memoryLogger();
  const sink = logSink(logger, bodies, 'full');
  return {
    sink,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe('the repeated-failure budget (--log-bodies failures in a storm)', () => {
  it('keeps the first few of a kind per window, counts each kind apart, and starts over with the next window', () => {
    let now = 0;
    const budget = new RepeatBudget(3, 60_000, () => now);
    const taken = Array.from({ length: 5 }, () => budget.take('401|TOKEN_EXPIRED'));
    expect(taken).toEqual([true, true, true, false, false]);
    expect(budget.take('403|ROLE_MISSING')).toBe(true);
    now = 59_999;
    expect(budget.take('401|TOKEN_EXPIRED')).toBe(false);
    now = 60_000;
    expect(budget.take('401|TOKEN_EXPIRED')).toBe(true);
  });

  it('a kind is the answer and the finding ids', () => {
    const a = failure([expired]);
    expect(failureKind(a.exchange, a.findings)).toBe('401|TOKEN_EXPIRED');
    const b = failure([expired, wrongRole], 403);
    expect(failureKind(b.exchange, b.findings)).toBe('403|TOKEN_EXPIRED,ROLE_MISSING');
  });

  it('in the log: repeats keep sizes only and say why; a different failure and healthy lines are as before', () => {
    const log = memoryLog();
    const storm = REPEATED_BODIES_PER_WINDOW + 4;
    for (let i = 0; i < storm; i++) log.sink.write(failure([expired]));
    log.sink.write(failure([wrongRole], 403));
    log.sink.write({
      msg: 'ok',
      exchange: exchange({ response: response(200, { body: ingestionBody(2, 2) }) }),
      findings: [],
    });
    const lines = log.lines();
    const kept = lines.slice(0, storm).map((l) => l.exchange.request.body.text !== undefined);
    expect(kept).toEqual(Array.from({ length: storm }, (_, i) => i < REPEATED_BODIES_PER_WINDOW));
    for (const l of lines.slice(REPEATED_BODIES_PER_WINDOW, storm)) {
      expect(l.exchange.request.body).toMatchObject({ omitted: 'repeated' });
      expect(l.exchange.request.body.size).toBeGreaterThan(0);
      expect(l.exchange.response.body).toMatchObject({ omitted: 'repeated' });
      // The finding and its evidence are all still on the line: only the body text is gone.
      expect(l.findings.map((f: Finding) => f.id)).toEqual(['TOKEN_EXPIRED']);
    }
    expect(lines[storm].exchange.request.body.text).toBeDefined();
    expect(lines[storm + 1].exchange.request.body).toMatchObject({ omitted: 'healthy' });
  });

  it('--log-bodies all keeps every body', () => {
    const log = memoryLog('all');
    for (let i = 0; i < REPEATED_BODIES_PER_WINDOW + 2; i++) log.sink.write(failure([expired]));
    expect(log.lines().every((l) => l.exchange.request.body.text !== undefined)).toBe(true);
  });

  it('the HAR keeps exactly the bodies the log kept', async () => {
    const tmp = tempDir('aiproxy-repeat-');
    try {
      const file = path.join(tmp.dir, 'out.har');
      const log = memoryLog();
      const har = new HarFileSink(file, 'failures');
      for (let i = 0; i < REPEATED_BODIES_PER_WINDOW + 3; i++) {
        const line = failure([expired]);
        log.sink.write(line);
        har.write(line);
      }
      await har.close();
      const entries = JSON.parse(readFileSync(file, 'utf8')).log.entries;
      const inHar = entries.map((e: any) => (e.request.postData?.text ?? '') !== '');
      const inLog = log.lines().map((l) => l.exchange.request.body.text !== undefined);
      expect(inHar).toEqual(inLog);
      expect(inLog.filter(Boolean)).toHaveLength(REPEATED_BODIES_PER_WINDOW);
      expect(entries.at(-1).request.postData.comment).toMatch(/repeat of a failure/);
    } finally {
      tmp.cleanup();
    }
  });
});
