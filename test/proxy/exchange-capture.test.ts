import { ExchangeCapture } from '../../src/proxy/exchange-capture';
import { type LiveExchange, type LiveOpening, liveExchange } from '../../src/proxy/live-exchange';
import { recordExchange } from '../../src/proxy/record-exchange';

const OPENING: LiveOpening = {
  client: { address: '127.0.0.1', port: 50000 },
  connect: { target: 'westus-0.in.applicationinsights.azure.com:443', httpVersion: '1.1' },
  scope: 'ingestion',
  method: 'POST',
  scheme: 'https',
  target: { host: 'westus-0.in.applicationinsights.azure.com', port: 443 },
  path: '/v2.1/track',
  httpVersion: '1.1',
  requestHeaders: { 'content-type': 'application/json', authorization: 'Bearer abc.def.ghi' },
  upstream: { address: '127.0.0.1:8443' },
};

/** A capture on a fake clock, collecting what it delivers. */
function capture(cap = 16) {
  let now = 1_000;
  const delivered: LiveExchange[] = [];
  const c = new ExchangeCapture('id-1', OPENING, {
    maxCaptureBytes: cap,
    now: () => now,
    deliver: (live) => delivered.push(live),
  });
  return { c, delivered, tick: (ms: number) => (now += ms) };
}

const HEAD = {
  statusCode: 401,
  statusMessage: 'Unauthorized',
  httpVersion: '1.1',
  headers: { 'content-type': 'application/json', connection: 'keep-alive' },
};

describe('the capture of one exchange', () => {
  it('goes open → responding → finished and delivers one record with the timings of the clock', () => {
    const { c, delivered, tick } = capture();
    expect(c.state).toBe('open');
    c.requestData(Buffer.from('[{"a":1}]'));
    tick(30);
    c.responseStarted(HEAD);
    expect(c.state).toBe('responding');
    c.responseData(Buffer.from('{"itemsReceived":1}'));
    tick(5);
    c.finish();
    expect(c.state).toBe('finished');
    expect(delivered).toHaveLength(1);
    const live = delivered[0]!;
    expect(live).toMatchObject({ id: 'id-1', start: 1_000, end: 1_035, method: 'POST', path: '/v2.1/track' });
    expect(live.response).toEqual({
      status: 401,
      reason: 'Unauthorized',
      httpVersion: '1.1',
      headers: HEAD.headers,
      at: 1_030,
    });
    expect(live.requestBody!.bytes().toString()).toBe('[{"a":1}]');
    expect(live.error).toBeUndefined();
  });

  it('keeps at most maxCaptureBytes of each body and counts every byte', () => {
    const { c, delivered } = capture(8);
    for (let i = 0; i < 100; i++) c.requestData(Buffer.alloc(1000, 0x61));
    c.responseStarted(HEAD);
    for (let i = 0; i < 100; i++) c.responseData(Buffer.alloc(1000, 0x62));
    c.finish();
    const live = delivered[0]!;
    expect(live.requestBody!.size).toBe(100_000);
    expect(live.requestBody!.kept).toBe(8);
    expect(live.requestBody!.bytes().toString()).toBe('aaaaaaaa');
    expect(live.responseBody!.size).toBe(100_000);
    expect(live.responseBody!.kept).toBe(8);
  });

  it('copies the response head: the relay stripping hop-by-hop headers later does not change the record', () => {
    const { c, delivered } = capture();
    const headers: Record<string, string> = { 'content-type': 'text/plain', connection: 'keep-alive' };
    c.responseStarted({ ...HEAD, headers });
    delete headers.connection;
    c.finish();
    expect(delivered[0]!.response!.headers).toEqual({
      'content-type': 'text/plain',
      connection: 'keep-alive',
    });
  });

  it('records the first failure only, and a client abort only when nothing failed first', () => {
    const first = capture();
    first.c.failed({ kind: 'UPSTREAM_REFUSED', message: 'refused', code: 'ECONNREFUSED' });
    first.c.failed({ kind: 'UPSTREAM_RESET', message: 'reset' });
    first.c.clientAborted();
    first.c.finish();
    expect(first.delivered[0]!.error).toEqual({
      kind: 'UPSTREAM_REFUSED',
      message: 'refused',
      code: 'ECONNREFUSED',
    });

    const aborted = capture();
    aborted.c.requestData(Buffer.from('x'));
    aborted.c.clientAborted();
    aborted.c.finish();
    expect(aborted.delivered[0]!.error?.kind).toBe('CLIENT_ABORTED');
    expect(aborted.delivered[0]!.response).toBeUndefined();
  });

  it('delivers once however often it is finished, and ignores what comes after', () => {
    const { c, delivered } = capture();
    c.finish();
    c.finish();
    c.requestData(Buffer.from('late'));
    c.responseStarted(HEAD);
    c.responseData(Buffer.from('late'));
    c.failed({ kind: 'UPSTREAM_RESET', message: 'late' });
    c.finish();
    expect(delivered).toHaveLength(1);
    const live = delivered[0]!;
    expect(live.requestBody!.size).toBe(0);
    expect(live.response).toBeUndefined();
    expect(live.responseBody).toBeUndefined();
    expect(live.error).toBeUndefined();
  });

  it('keeps only the first response head (a second one changes nothing)', () => {
    const { c, delivered } = capture();
    c.responseStarted(HEAD);
    c.responseData(Buffer.from('one'));
    c.responseStarted({ ...HEAD, statusCode: 200, statusMessage: 'OK' });
    c.finish();
    expect(delivered[0]!.response!.status).toBe(401);
    expect(delivered[0]!.responseBody!.bytes().toString()).toBe('one');
  });
});

describe('the live record has one constructor', () => {
  it('builds the same shape for a handshake failure, which records to an Exchange without a response', async () => {
    const live = liveExchange(
      'id-2',
      500,
      { ...OPENING, method: 'CONNECT', path: '', requestHeaders: {}, upstream: undefined },
      { end: 510, error: { kind: 'CLIENT_TLS_REJECTED', message: 'unknown ca', alert: 'unknown ca' } },
    );
    expect(Object.keys(live).sort()).toEqual(
      [
        'id',
        'start',
        'client',
        'connect',
        'scope',
        'method',
        'scheme',
        'target',
        'path',
        'httpVersion',
        'requestHeaders',
        'upstream',
        'requestBody',
        'response',
        'responseBody',
        'end',
        'error',
      ].sort(),
    );
    const exchange = await recordExchange(live, 1024);
    expect(exchange).toMatchObject({
      id: 'id-2',
      request: { method: 'CONNECT', body: { size: 0, captured: 0, truncated: false } },
      timings: { start: 500, total: 10 },
      error: { kind: 'CLIENT_TLS_REJECTED', alert: 'unknown ca' },
      connect: OPENING.connect,
    });
    expect(exchange.response).toBeUndefined();
    expect(exchange.upstream).toBeUndefined();
  });

  it('a captured exchange records with its bodies, the token summarised and never in full', async () => {
    const { c, delivered } = capture(1024);
    c.requestData(Buffer.from('[]'));
    c.responseStarted(HEAD);
    c.responseData(Buffer.from('{"itemsReceived":0}'));
    c.finish();
    const exchange = await recordExchange(delivered[0]!, 1024);
    expect(exchange.request.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(exchange)).not.toContain('abc.def.ghi');
    expect(exchange.request.body).toMatchObject({ size: 2, captured: 2, text: '[]' });
    expect(exchange.response).toMatchObject({ status: 401, body: { size: 19, text: '{"itemsReceived":0}' } });
    expect(exchange.upstream).toEqual({ address: '127.0.0.1:8443' });
  });
});
