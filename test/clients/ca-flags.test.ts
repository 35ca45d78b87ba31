import path from 'node:path';
import { cli } from '../cli-ca/run-cli';
import { tempDir } from '../helpers/tmp';

// Never written with the fixes; a temporary place all the same, in case a command gets that far.
const tmp = tempDir('aiproxy-ca-flags-');
const CA_DIR = path.join(tmp.dir, 'certs');
afterAll(() => tmp.cleanup());

/** `ca setup --proxy-auth` takes what `start --proxy-auth` takes, and says so without echoing the secret. */
describe('ca setup --proxy-auth', () => {
  it.each([
    [['--proxy-auth', 'a:secret1', '--proxy-auth', 'c:secret2'], '--proxy-auth was given more than once'],
    [['--proxy-auth', 'nocolonsecret'], '--proxy-auth takes USER:PASS'],
  ])('%j is refused with exit 2, the value unrepeated', async (flags, message) => {
    for (const runtime of ['java', 'node']) {
      const r = await cli(['ca', 'setup', runtime, '--ca-dir', CA_DIR, ...flags]);
      expect({ runtime, code: r.code, stdout: r.stdout }).toEqual({ runtime, code: 2, stdout: '' });
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/secret/);
    }
  });
});

/** yargs hands a string flag given twice over as an array; each ca command says so instead of crashing. */
describe('ca export, truststore and setup: a string flag given twice', () => {
  it.each([
    ['export', '--out'],
    ['export', '--password'],
    ['truststore', '--out'],
    ['truststore', '--password'],
    ['truststore', '--cacerts'],
    ['truststore', '--cacerts-password'],
    ['setup java', '--proxy-host'],
    ['setup java', '--password'],
    ['setup java', '--truststore'],
  ])('ca %s %s twice: exit 2, named, nothing written', async (command, flag) => {
    const r = await cli([
      'ca',
      ...command.split(' '),
      '--ca-dir',
      CA_DIR,
      flag,
      path.join(tmp.dir, 'one-secret'),
      flag,
      path.join(tmp.dir, 'two-secret'),
    ]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toContain(`${flag} was given more than once`);
    expect(r.stderr).not.toMatch(/secret/);
  });
});
