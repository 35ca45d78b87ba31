import { summarizeAuthorization } from '../../src/ingestion/jwt';
import { redactForOutput, sharedOutputValue } from '../../src/ingestion/redact-output';
import { jwtString } from '../fixtures/exchanges';

/**
 * A token's summary is cached, frozen and shared by every line that sends the token; the output
 * redaction keeps its masked copy beside it. Every line must still come out exactly as if the
 * summary were its own (a plain copy), whatever keys the rest of the line shows, in any order.
 */
describe('shared values (a cached token summary) mask exactly like a private copy', () => {
  const ikey = '7b3d1c2e-9f8a-4b6c-8d7e-1a2b3c4d5e6f';
  // The worst case for a cache: a claim that is the line's iKey (masked only when the line shows it).
  const summary = summarizeAuthorization(
    `Bearer ${jwtString({ aud: 'https://monitor.azure.com', appid: ikey, oid: ikey, tid: '72f988bf-86f1-41af-91ab-2d7cd011db47', exp: 1 })}`,
  );
  const lines = [
    { exchange: { request: { authorization: summary } }, iKey: ikey },
    { exchange: { request: { authorization: summary } } },
    {
      exchange: { request: { authorization: summary } },
      analysis: { iKeys: ['7b3d1c2e-****-****-****-********5e6f'] },
    },
    { deeper: { a: { b: { authorization: summary } } }, iKey: ikey },
    { exchange: { request: { authorization: summary } } },
  ];

  it('is frozen all the way down, and only frozen values can be shared', () => {
    expect(Object.isFrozen(summary.jwt!.claims)).toBe(true);
    expect(() => sharedOutputValue({ a: 1 })).toThrow(TypeError);
  });

  it('every line, in two orders and repeated, equals the line with a private copy', () => {
    for (const order of [lines, [...lines].reverse(), lines]) {
      for (const line of order) {
        const own = structuredClone(line);
        expect(JSON.stringify(redactForOutput(line))).toBe(JSON.stringify(redactForOutput(own)));
      }
    }
    const shown = JSON.stringify(redactForOutput(lines[0]));
    const hidden = JSON.stringify(redactForOutput(lines[1]));
    expect(shown).not.toContain('9f8a-4b6c'); // the line shows the key: the claim is masked
    expect(hidden).toContain(ikey); // it does not: the claim is an ordinary GUID
  });
});
