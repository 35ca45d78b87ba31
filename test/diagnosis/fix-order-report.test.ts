/**
 * Issue 11 item 9: the report's next steps follow the catalog's fix order (one list), and the
 * labelled steps of an unknown runtime read cleanly there.
 */
import { diagnose, FIX_ORDER } from '../../src/diagnosis';
import { ReportBuilder } from '../../src/sinks/report';
import type { Exchange } from '../../src/model/exchange';
import {
  SENDERS,
  bearer,
  exchange,
  failedExchange,
  fromSender,
  goodClaims,
  response,
  withoutToken,
} from '../fixtures/exchanges';
import { NO_OPTIONS } from './helpers';

function reportOf(exchanges: Exchange[]) {
  const builder = new ReportBuilder();
  for (const ex of exchanges) {
    const { analysis, findings } = diagnose(ex, NO_OPTIONS);
    builder.addRecord({ time: ex.startedAt, level: 'error', msg: 'x', exchange: ex, analysis, findings });
  }
  return builder.result();
}

describe("the report's next steps use the catalog fix order", () => {
  const unknown = SENDERS.find((s) => s.name === 'unknown sender')!;
  // Given in the reverse of the fix order on purpose.
  const exchanges = [
    exchange({ request: { authorization: bearer(goodClaims()) }, response: response(403) }),
    exchange({ request: fromSender(unknown, withoutToken()), response: response(401) }),
    exchange({ request: { path: '/v2/track' }, response: response(401) }),
    failedExchange('CLIENT_TLS_REJECTED', { alert: 'unknown ca' }),
  ];

  it('orders errors by fix stage, whatever the order they were seen in', () => {
    const ids = reportOf(exchanges).nextSteps.map((s) => s.id);
    expect(ids).toEqual([
      'CLIENT_DOES_NOT_TRUST_PROXY_CA',
      'TOKEN_SENT_TO_V2_PATH',
      'TOKEN_MISSING',
      'ROLE_MISSING',
    ]);
    const ranks = ids.map((id) => FIX_ORDER.indexOf(id as (typeof FIX_ORDER)[number]));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('an unknown runtime gives labelled steps, never "undefined:"', () => {
    const missing = reportOf(exchanges).nextSteps.find((s) => s.id === 'TOKEN_MISSING')!;
    expect(missing.fix.some((s) => s.startsWith('Python: '))).toBe(true);
    expect(missing.fix.some((s) => s.startsWith('undefined'))).toBe(false);
  });

  it('negative: a known runtime keeps its own prefix', () => {
    const python = SENDERS.find((s) => s.name === 'Python exporter')!;
    const r = reportOf([exchange({ request: fromSender(python, withoutToken()), response: response(401) })]);
    const steps = r.nextSteps.find((s) => s.id === 'TOKEN_MISSING')!.fix;
    expect(steps.some((s) => s.startsWith('python: '))).toBe(true);
    expect(steps.some((s) => s.startsWith('Java: '))).toBe(false);
  });
});
