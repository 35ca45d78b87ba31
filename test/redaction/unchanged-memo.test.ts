import { redactEveryPattern, redactText } from '../../src/ingestion/redact';
import { corpusRequests, secretShapes } from './secret-corpus';

/**
 * redactText remembers short texts the patterns left unchanged, per set of known iKeys. A text
 * unchanged without known keys must still be masked once the line knows a key it holds, and
 * every answer, repeated and in any order, is what the patterns in full give.
 */
describe('redactText remembers only what it left unchanged, per known keys', () => {
  const key = '7b3d1c2e-9f8a-4b6c-8d7e-1a2b3c4d5e6f';
  const knownSets = [
    new Set<string>(),
    new Set(['7b3d1c2e:5e6f']),
    new Set(['7b3d1c2e:5e6f', 'aaaaaaaa:bbbb']),
  ];

  it('a key that becomes known is masked in a text remembered as unchanged', () => {
    const text = `resource ${key} not found`;
    expect(redactText(text)).toBe(text);
    expect(redactText(text)).toBe(text); // remembered
    expect(redactText(text, new Set(['7b3d1c2e:5e6f']))).not.toContain('9f8a-4b6c');
    expect(redactText(text)).toBe(text);
  });

  it('every short string of the secret corpus, three times, each known set in two orders', () => {
    const shapes = secretShapes();
    const texts: string[] = [`resource ${key}`, `iKey ${key}`];
    for (const shape of shapes) texts.push(shape.value, shape.prose, ...shape.needles);
    for (const request of corpusRequests(shapes)) {
      texts.push(request.path, request.reply.reason ?? '');
      for (const [name, value] of Object.entries(request.headers)) texts.push(value, `${name}: ${value}`);
    }
    for (const order of [knownSets, [...knownSets].reverse(), knownSets])
      for (const known of order)
        for (const text of texts)
          expect(redactText(text, new Set(known))).toBe(redactEveryPattern(text, new Set(known)));
  });
});
