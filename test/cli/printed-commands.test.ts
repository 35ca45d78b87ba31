import { runCli, type CliProcess } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

const exited = (p: CliProcess) =>
  new Promise<number | null>((resolve) =>
    p.child.exitCode !== null ? resolve(p.child.exitCode) : p.child.once('exit', (code) => resolve(code)),
  );

/** Commands the CLI prints name the CLI as it can be run from where it was printed. */
describe('ca setup java, run from a clone', () => {
  const tmp = tempDir('aiproxy-printed-');
  afterAll(() => tmp.cleanup());

  it('prints "node dist/cli/main.js ca truststore", not a bin that is not on PATH', async () => {
    const init = runCli(['ca', 'init', '--ca-dir', tmp.dir]);
    expect(await exited(init)).toBe(0);
    const setup = runCli(['ca', 'setup', 'java', '--ca-dir', tmp.dir]);
    expect(await exited(setup)).toBe(0);
    expect(setup.stdout()).toMatch(/^node dist\/cli\/main\.js ca truststore --ca-dir /m);
    expect(setup.stdout()).not.toMatch(/^appinsights-auth-proxy /m);
  });
});
