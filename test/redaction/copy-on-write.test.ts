import { redactForOutput } from '../../src/ingestion/redact-output';

/**
 * The output redaction copies only what it masks: a container nothing inside of which changed
 * comes back as itself (most of a line is masked when its record is built, so a clean line costs
 * a walk and no copy), and the input is never changed, whatever was masked.
 */
describe('redactForOutput copies on write', () => {
  const clean = () => ({
    level: 'info',
    exchange: {
      request: { method: 'POST', path: '/v2.1/track', headers: { 'content-type': 'application/json' } },
      response: { status: 200, headers: { 'content-length': '62' } },
    },
    findings: [] as unknown[],
    tags: ['a', 'b'],
  });

  it('a line with nothing to mask comes back as the same object', () => {
    const line = clean();
    expect(redactForOutput(line)).toBe(line);
  });

  it('masks a nested secret in a new path of containers, shares the untouched ones, and leaves the input as it was', () => {
    const line = {
      ...clean(),
      exchange: {
        ...clean().exchange,
        request: { ...clean().exchange.request, headers: { 'x-api-key': 'abc123', accept: '*/*' } },
      },
    };
    const before = structuredClone(line);
    const out = redactForOutput(line);
    expect(out).not.toBe(line);
    expect(out.exchange.request.headers['x-api-key']).toBe('[redacted]');
    expect(out.exchange.request.headers.accept).toBe('*/*');
    // Siblings that held nothing to mask are the input's own objects.
    expect(out.exchange.response).toBe(line.exchange.response);
    expect(out.tags).toBe(line.tags);
    // Keys keep their order.
    expect(Object.keys(out)).toEqual(Object.keys(line));
    expect(Object.keys(out.exchange.request.headers)).toEqual(['x-api-key', 'accept']);
    expect(line).toEqual(before);
  });

  it('an array with one masked element is copied whole, in order', () => {
    const ikey = '7b3d1c2e-9f8a-4b6c-8d7e-1a2b3c4d5e6f';
    const list = ['first', `InstrumentationKey=${ikey}`, 'third'];
    const out = redactForOutput({ list });
    expect(out.list).not.toBe(list);
    expect(out.list).toHaveLength(3);
    expect(out.list[0]).toBe('first');
    expect(out.list[1]).not.toContain(ikey);
    expect(out.list[2]).toBe('third');
    expect(list[1]).toContain(ikey);
  });

  it('a key that holds data is masked too (a new object even when the values are clean)', () => {
    const ikey = '7b3d1c2e-9f8a-4b6c-8d7e-1a2b3c4d5e6f';
    const routes = { [`POST host/v2/track?iKey=${ikey}`]: 3, other: 1 };
    const out = redactForOutput({ routes });
    expect(out.routes).not.toBe(routes);
    expect(Object.keys(out.routes).join(' ')).not.toContain(ikey);
    expect(Object.values(out.routes)).toEqual([3, 1]);
  });

  it('a copy holds the own entries only, as JSON does (nothing from a prototype)', () => {
    const ikey = '7b3d1c2e-9f8a-4b6c-8d7e-1a2b3c4d5e6f';
    const obj = Object.create({ inherited: 'from the prototype' }) as Record<string, string>;
    obj.first = 'clean';
    obj.query = `iKey=${ikey}`;
    obj.last = 'clean too';
    const out = redactForOutput(obj);
    expect(out).not.toBe(obj);
    expect(Object.keys(out)).toEqual(['first', 'query', 'last']);
    expect('inherited' in out).toBe(false);
    expect(out.query).not.toContain(ikey);
  });
});
