import { diagnose } from '../../src/diagnosis';
import { BodyTap } from '../../src/proxy/body-tap';
import { DecodeBudget } from '../../src/proxy/decode-budget';
import { ExchangePipeline } from '../../src/proxy/exchange-pipeline';
import type { LiveExchange } from '../../src/proxy/live-exchange';
import type { ExchangeLogLine } from '../../src/model/log-line';

const BODY = JSON.stringify([
  {
    ver: 1,
    name: 'Event',
    time: '2026-11-26T00:00:00Z',
    iKey: '11111111-2222-3333-4444-555555555555',
    data: { baseType: 'EventData', baseData: {} },
  },
]);

function live(status: number, id: string): LiveExchange {
  const request = new BodyTap(1 << 20);
  request.push(Buffer.from(BODY));
  const response = new BodyTap(1 << 20);
  response.push(Buffer.from(`{"itemsReceived":1,"itemsAccepted":${status === 200 ? 1 : 0},"errors":[]}`));
  return {
    id,
    start: Date.now(),
    end: Date.now(),
    client: { address: '127.0.0.1' },
    scope: 'ingestion',
    method: 'POST',
    scheme: 'https',
    target: { host: 'westus-0.in.applicationinsights.azure.com', port: 443 },
    path: '/v2.1/track',
    httpVersion: '1.1',
    requestHeaders: { 'content-type': 'application/json' },
    requestBody: request,
    response: {
      status,
      reason: status === 200 ? 'OK' : 'Unauthorized',
      httpVersion: '1.1',
      headers: { 'content-type': 'application/json' },
      at: Date.now(),
    },
    responseBody: response,
  };
}

describe('the analysis pipeline stays bounded', () => {
  it('decodes healthy bodies within the per-second budget and every failing body', async () => {
    const lines: ExchangeLogLine[] = [];
    const pipeline = new ExchangePipeline(
      [{ write: (line) => lines.push(line) }],
      (exchange) => diagnose(exchange, { connectionStrings: [], expectEntra: false }),
      1 << 20,
      { maxBacklog: 100, maxBacklogBytes: 1 << 20, healthyBodiesPerSecond: 1 },
    );
    for (const [status, id] of [
      [200, 'a'],
      [200, 'b'],
      [401, 'c'],
    ] as const)
      await pipeline.process(live(status, id));
    const [first, second, failed] = lines;
    expect(first!.exchange.request.body.text).toContain('11111111-****');
    expect(second!.exchange.request.body).toMatchObject({ size: BODY.length, omitted: 'sampled' });
    expect(second!.exchange.request.body.text).toBeUndefined();
    expect(second!.analysis!.requestBody).toMatchObject({ shape: 'not-decoded' });
    expect(second!.analysis!.ingestionResponse).toMatchObject({ itemsReceived: 1, itemsAccepted: 1 });
    expect(failed!.exchange.request.body.text).toContain('11111111-****');
    expect(failed!.findings.map((f) => f.id)).toContain('TOKEN_MISSING');
  });

  it('relays but does not analyse past the backlog limits, and says how many it skipped', async () => {
    const skipped: number[] = [];
    const lines: ExchangeLogLine[] = [];
    const pipeline = new ExchangePipeline(
      [{ write: (line) => lines.push(line) }],
      () => ({ findings: [] }),
      1 << 20,
      { maxBacklog: 2, maxBacklogBytes: 1 << 20, healthyBodiesPerSecond: 10 },
      () => undefined,
      (n) => skipped.push(n),
    );
    for (let i = 0; i < 5; i += 1) pipeline.accept(live(200, `x${i}`));
    await pipeline.drain();
    expect(lines).toHaveLength(2);
    expect(pipeline.dropped).toBe(3);
    expect(skipped).toEqual([1]); // one warning per 5 s, counting from the first skip
  });

  it('gives the budget back every second', () => {
    const budget = new DecodeBudget(2);
    expect([budget.take(1000), budget.take(1001), budget.take(1002)]).toEqual([true, true, false]);
    expect(budget.take(2001)).toBe(true);
  });
});
