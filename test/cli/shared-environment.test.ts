import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, runCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * The image sets AIPROXY_CA_DIR for every command, and compose.yaml gives its init step (`ca
 * truststore`, `ca export`) the proxy's environment: a variable for another command's flag made
 * every command without that flag exit 2 ("Unknown argument: caDir"), so `podman run IMAGE pretty`
 * and `explain` never ran, and AIPROXY_PROXY_AUTH on the shared environment stopped the init step
 * (and with it the proxy). Such a variable is now left to the commands that have the flag.
 */

const tmp = tempDir('aiproxy-shared-env-');
afterAll(() => tmp.cleanup());

function cli(args: string[], env: NodeJS.ProcessEnv, input = '') {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    input,
    env: { ...process.env, ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("an AIPROXY_ variable for another command's flag (built CLI)", () => {
  const image = { AIPROXY_CA_DIR: path.join(tmp.dir, 'certs') };

  it('the image environment (AIPROXY_CA_DIR): pretty, report and explain run', () => {
    const log = path.join(tmp.dir, 'proxy.log');
    writeFileSync(
      log,
      `${JSON.stringify({ level: 'info', time: '2026-01-01T00:00:00Z', msg: 'started' })}\n`,
    );
    expect(cli(['explain', '401'], image)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/TOKEN_MISSING/),
    });
    expect(cli(['pretty'], image, '{"level":"info","msg":"hello"}\n')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/hello/),
    });
    expect(cli(['report', log], image)).toMatchObject({ code: 0, stderr: '' });
  });

  it("compose's shared environment (AIPROXY_PROXY_AUTH, AIPROXY_RESOLVE): the init step's ca export runs", () => {
    const out = path.join(tmp.dir, 'trust', 'ca.pem');
    const run = cli(
      ['ca', 'export', '--ca-dir', path.join(tmp.dir, 'certs'), '--format', 'pem', '--out', out],
      {
        AIPROXY_PROXY_AUTH: 'ops:s3cret',
        AIPROXY_RESOLVE: '*:443=fake:8443',
      },
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(run.stderr).not.toMatch(/Unknown argument/);
    expect(existsSync(out)).toBe(true);
  });

  it('a flag the command lacks, typed on the command line, is still refused (exit 2)', () => {
    const run = cli(['explain', '401', '--ca-dir', tmp.dir], image);
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/Unknown arguments?: .*ca-dir/),
    });
  });

  it("the command's own variables are still read and checked", () => {
    const run = cli(['start', '--log-format=json', '--summary=false'], { ...image, AIPROXY_PORT: 'eighty' });
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/--port "eighty"/),
    });
  });

  it("a flag on the command line wins over its variable (as the image's CMD sets --port and --log-format)", async () => {
    const proxy = runCli(['start', '--port', '0', '--log-format', 'json', '--summary=false'], {
      ...image,
      AIPROXY_PORT: 'eighty',
      AIPROXY_LOG_FORMAT: 'pretty',
    });
    try {
      const banner = await proxy.waitForLine((l) => typeof l.listening === 'string', 20_000);
      expect(banner.listening).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(banner.listening).not.toMatch(/:0$/);
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
  }, 30_000);
});
