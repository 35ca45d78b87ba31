import { gzipSync } from 'node:zlib';
import { decodeContent, parseTelemetry } from '../../src/fake/body-decoding';
import { normalizeIkey, validateEnvelope } from '../../src/fake/envelope-validation';
import { parseScenario, ScenarioState } from '../../src/fake/scenarios';
import { checkToken } from '../../src/fake/token-check';
import { mintToken, TokenSigningKey } from '../../src/fake/token-minting';

describe('body decoding', () => {
  it('undoes gzip and reports bad streams', () => {
    const ok = decodeContent(gzipSync(Buffer.from('{}')), 'gzip');
    expect(ok.ok && ok.bytes.toString()).toBe('{}');
    expect(decodeContent(Buffer.from('x'), 'gzip')).toMatchObject({ ok: false });
    expect(decodeContent(Buffer.from('x'), 'compress')).toEqual({
      ok: false,
      message: "Content-Encoding 'compress' is not supported",
    });
  });

  it('reads arrays, objects and NDJSON, and rejects non-JSON', () => {
    expect(parseTelemetry(Buffer.from('[{"a":1},{"b":2}]'))).toMatchObject({
      ok: true,
      format: 'json-array',
    });
    expect(parseTelemetry(Buffer.from('{"a":1}'))).toMatchObject({ ok: true, format: 'object' });
    expect(parseTelemetry(Buffer.from('{"a":1}\r\n{"b":2}'))).toMatchObject({ ok: true, format: 'ndjson' });
    expect(parseTelemetry(Buffer.from('nope\nnope'))).toMatchObject({ ok: false });
    expect(parseTelemetry(Buffer.from('  '))).toEqual({ ok: false, message: 'Request body is empty' });
  });
});

describe('envelope validation', () => {
  const rules = {
    knownIkeys: new Set(['11111111-2222-3333-4444-555555555555']),
    alwaysKnownIkeys: new Set<string>(),
  };
  const good = {
    name: 'X',
    time: '2026-01-01T00:00:00Z',
    iKey: '11111111222233334444555555555555',
    data: { baseType: 'EventData' },
  };

  it('accepts an iKey without dashes or in upper case', () => {
    expect(validateEnvelope(good, 0, rules)).toBeUndefined();
    expect(validateEnvelope({ ...good, iKey: good.iKey.toUpperCase() }, 0, rules)).toBeUndefined();
    expect(normalizeIkey('11111111222233334444555555555555')).toBe('11111111-2222-3333-4444-555555555555');
  });

  it('rejects a bad time and a non-GUID iKey', () => {
    expect(validateEnvelope({ ...good, time: 'yesterday' }, 3, rules)).toMatchObject({
      index: 3,
      statusCode: 400,
    });
    expect(validateEnvelope({ ...good, iKey: 'not-a-key' }, 0, rules)?.message).toBe(
      'Invalid instrumentation key',
    );
  });
});

describe('scenarios', () => {
  it('validates input', () => {
    expect(parseScenario('throttle')).toEqual({ name: 'throttle' });
    expect(() => parseScenario('flood')).toThrow(/unknown scenario/);
    expect(() => parseScenario({ name: 'redirect', location: 'http://localhost/' })).toThrow(/https/);
    expect(() => parseScenario({ name: 'slow', delayMs: -1 })).toThrow();
    expect(() => parseScenario({ name: 'error500', times: 0 })).toThrow();
  });

  it('counts down `times`', () => {
    const state = new ScenarioState();
    state.set({ name: 'quota', times: 1 });
    expect(state.take().name).toBe('quota');
    expect(state.take().name).toBe('ok');
  });
});

describe('token check', () => {
  const rules = {
    audiences: ['https://monitor.azure.com'],
    publishers: new Set(['p']),
    clockSkewSeconds: 300,
    signatures: 'any' as const,
  };
  const now = Math.floor(Date.now() / 1000);

  it('tolerates clock skew of five minutes', () => {
    const token = mintToken({ oid: 'p', exp: now - 60 });
    expect(checkToken({ authorization: `Bearer ${token}` }, rules).kind).toBe('valid');
  });

  it('checks signatures with the fake key when asked', () => {
    const key = TokenSigningKey.generate();
    const strict = { ...rules, signatures: 'ours' as const, signingKey: key };
    expect(checkToken({ authorization: `Bearer ${mintToken({ oid: 'p' }, key)}` }, strict).kind).toBe(
      'valid',
    );
    expect(
      checkToken({ authorization: `Bearer ${mintToken({ oid: 'p' }, TokenSigningKey.generate())}` }, strict),
    ).toMatchObject({ kind: 'invalid' });
  });

  it('treats a token without exp as invalid', () => {
    expect(
      checkToken({ authorization: `Bearer ${mintToken({ oid: 'p', exp: null })}` }, rules),
    ).toMatchObject({ kind: 'invalid', why: 'the token has no exp claim' });
  });
});
