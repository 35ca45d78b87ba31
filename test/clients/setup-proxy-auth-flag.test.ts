import { cli } from '../cli-ca/run-cli';

/** `ca setup --proxy-auth` takes what `start --proxy-auth` takes, and says so without echoing the secret. */
describe('ca setup --proxy-auth', () => {
  it.each([
    [['--proxy-auth', 'a:secret1', '--proxy-auth', 'c:secret2'], '--proxy-auth was given more than once'],
    [['--proxy-auth', 'nocolonsecret'], '--proxy-auth takes USER:PASS'],
  ])('%j is refused with exit 2, the value unrepeated', async (flags, message) => {
    for (const runtime of ['java', 'node']) {
      const r = await cli(['ca', 'setup', runtime, '--ca-dir', '/nonexistent-ca-dir', ...flags]);
      expect({ runtime, code: r.code, stdout: r.stdout }).toEqual({ runtime, code: 2, stdout: '' });
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/secret/);
    }
  });
});
