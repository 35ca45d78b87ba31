import { randomBytes, randomInt } from 'node:crypto';
import { mayHoldSecret, redactEveryPattern, redactText } from '../../src/ingestion/redact';
import { corpusRequests, secretShapes } from './secret-corpus';

/**
 * redactText skips its patterns for a string that holds none of what they need. That shortcut
 * must never change a result: every string that the full set of patterns changes is one the
 * shortcut lets through, over the whole secret corpus and over random text made of the
 * characters the patterns care about.
 */
describe("redactText's shortcut changes no result", () => {
  const same = (text: string, known = new Set<string>()) => {
    const full = redactEveryPattern(text, new Set(known));
    if (full !== text) expect(mayHoldSecret(text)).toBe(true);
    expect(redactText(text, new Set(known))).toBe(full);
  };

  it('every string of the secret corpus: values, prose, paths, headers, bodies, answers, and their parts', () => {
    const shapes = secretShapes();
    const texts: string[] = [];
    for (const shape of shapes) texts.push(shape.value, shape.prose, ...shape.needles);
    for (const request of corpusRequests(shapes)) {
      texts.push(request.path, request.reply.body, request.reply.reason ?? '');
      for (const [name, value] of [
        ...Object.entries(request.headers),
        ...Object.entries(request.reply.headers),
      ])
        texts.push(value, `${name}: ${value}`);
      if (request.body) texts.push(request.body.toString('latin1'));
    }
    // Pieces too: a short slice of a secret line is what the shortcut is most likely to pass.
    const pieces = texts.flatMap((t) => [t.slice(0, 24), t.slice(-24), t.slice(5, 40)]);
    let changed = 0;
    for (const text of [...texts, ...pieces]) {
      same(text);
      if (redactEveryPattern(text) !== text) changed += 1;
    }
    expect(changed).toBeGreaterThan(100); // the corpus does hold secrets the patterns mask
  });

  it('known iKeys: a key seen elsewhere in the line is masked in a string with no other hint', () => {
    const key = '7b3d1c2e-9f8a-4b6c-8d7e-1a2b3c4d5e6f';
    const known = new Set(['7b3d1c2e:5e6f']);
    same(`resource ${key}`, known);
    expect(redactText(`resource ${key}`, known)).not.toContain('9f8a-4b6c');
  });

  it('random text over the characters the patterns look for (bounded)', () => {
    const alphabet = [
      'a',
      'e',
      'y',
      'J',
      'B',
      '0',
      '9',
      'f',
      '=',
      '%',
      '3',
      'D',
      '"',
      ':',
      '@',
      '\\',
      'u',
      ' ',
      '-',
      '/',
      '.',
      'bearer ',
      'Basic ',
      'eyJ',
      'secret',
      'cookie',
      'api-key',
      'iKey ',
      '://u:p@h',
    ];
    for (let i = 0; i < 3000; i++) {
      const n = randomInt(1, 30);
      let text = '';
      for (let j = 0; j < n; j++) text += alphabet[randomInt(alphabet.length)];
      same(text);
      same(randomBytes(randomInt(1, 40)).toString('latin1'));
    }
  });
  it('a line under any secret-looking name reaches the patterns; prose with those words does not need to', () => {
    const words = ['auth', 'key', 'secret', 'token', 'pass', 'pwd', 'assertion', 'sig', 'cookie', 'identity'];
    for (const word of words)
      for (const line of [
        `X-${word}-Value: Zq81c0ffee`,
        `my_${word.toUpperCase()} :  Zq81c0ffee`,
        `${word}: Zq81c0ffee`,
      ])
        same(line);
    for (const line of [
      'X-Client-Secret: Zq81c0ffee',
      'refresh_token: Zq81c0ffee',
      'DB_PASSWORD : Zq81c0ffee',
    ]) {
      same(line);
      expect(redactText(line)).not.toContain('Zq81c0ffee');
    }
    // No colon after the word: no pattern can use it, so the shortcut skips the sentence.
    expect(mayHoldSecret('renew the token before it expires, then send the batch again')).toBe(false);
  });
});
