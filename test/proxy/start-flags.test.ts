import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * Issue 14, item 8: every invalid `start` flag value ends with a clear message and exit code 2,
 * before anything listens (the built CLI, as a user runs it). A wrong value that slipped through
 * would start the proxy: the 20 s bound then ends it and the exit code is not 2.
 */

const tmp = tempDir('aiproxy-flags-');
afterAll(() => tmp.cleanup());

function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(
    process.execPath,
    [
      CLI,
      'start',
      `--ca-dir=${path.join(tmp.dir, 'certs')}`,
      '--log-format=json',
      '--summary=false',
      ...args,
    ],
    { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } },
  );
  return { code: run.status, stderr: run.stderr, stdout: run.stdout };
}

const emptyAuthFile = path.join(tmp.dir, 'empty-auth');
writeFileSync(emptyAuthFile, '\n');

const CASES: [string[], RegExp][] = [
  [['--port', 'abc'], /--port "abc": expected a whole number from 0 to 65535/],
  [['--port', '99999'], /--port "99999": expected a whole number from 0 to 65535/],
  [['--port', '-1'], /--port "-1": expected a whole number/],
  [['--port', '80.5'], /--port "80.5": expected a whole number/],
  [['--port='], /--port "": expected a whole number/],
  [['--port', '1', '--port', '2'], /--port was given more than once/],
  [['--upstream-timeout', 'soon'], /--upstream-timeout "soon": expected a whole number from 1 to 2147483647/],
  [['--upstream-timeout', '0'], /--upstream-timeout "0"/],
  [
    ['--idle-timeout', '9999999999'],
    /--idle-timeout "9999999999": expected a whole number from 1 to 2147483647/,
  ],
  [['--max-capture-bytes', '1e6'], /--max-capture-bytes "1e6": expected a whole number/],
  [['--quiet-after', 'soon'], /--quiet-after "soon": expected a whole number from 1/],
  [['--quiet-after', '0'], /--quiet-after "0": expected a whole number from 1/],
  [['--ui-history', 'lots'], /--ui-history "lots": expected a whole number from 1/],
  [['--advertise-host', 'a', '--advertise-host', 'b'], /--advertise-host was given more than once/],
  [
    ['--upstream-proxy', 'corpproxy:3128'],
    /--upstream-proxy "corpproxy:3128".*did you mean http:\/\/corpproxy:3128\?/,
  ],
  [
    ['--upstream-proxy', 'socks5://127.0.0.1:1080'],
    /--upstream-proxy "socks5:\/\/127.0.0.1:1080": expected http:\/\//,
  ],
  [['--upstream-proxy', 'not a url'], /--upstream-proxy "not a url" is not a URL like http:\/\/host:port/],
  [['--host', 'bad host!'], /--host "bad host!": expected an IP address or a host name/],
  [
    ['--host', '203.0.113.77', '--port', '0'],
    /cannot listen on 203\.0\.113\.77:0 \(--host\/--port\): EADDRNOTAVAIL/,
  ],
  [['--resolve', 'nonsense'], /--resolve "nonsense": expected HOST\[:PORT\]=ADDRESS:PORT/],
  [['--proxy-auth', 'nocolon'], /--proxy-auth: expected USER:PASS/],
  [
    ['--proxy-auth-file', '/nonexistent/auth'],
    /--proxy-auth-file \/nonexistent\/auth: cannot read it \(ENOENT\)/,
  ],
  [['--proxy-auth-file', emptyAuthFile], /--proxy-auth-file .*: expected USER:PASS/],
  [['--proxy-auth', 'a:b', '--proxy-auth-file', emptyAuthFile], /both given: use one/],
  [['--log-level', 'loud'], /Invalid values:[\s\S]*log-level/],
];

describe('start: every invalid flag value exits 2 with a clear message (built CLI)', () => {
  it.each(CASES)('%j', (args, message) => {
    const { code, stderr } = start(args);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(stderr).toMatch(/Run with --help for usage/);
  });

  it('the same checks apply to AIPROXY_<FLAG> environment variables', () => {
    const { code, stderr } = start([], { AIPROXY_PORT: 'eighty' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--port "eighty": expected a whole number from 0 to 65535/);
  });
});

describe('fake-ingestion: invalid numbers exit 2 too (built CLI)', () => {
  it.each([
    [['--port', 'abc'], /--port "abc": expected a whole number from 0 to 65535/],
    [['--v2-status', '42'], /--v2-status "42": expected a whole number from 100 to 599/],
    [['--retry-after', 'soon'], /--retry-after "soon"/],
    [['--delay-ms', '-1'], /--delay-ms "-1"/],
    [['--imds-port', '70000'], /--imds-port "70000"/],
  ])('%j', (args, message) => {
    const run = spawnSync(
      process.execPath,
      [CLI, 'fake-ingestion', `--ca-dir=${path.join(tmp.dir, 'fake')}`, ...args],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect({ code: run.status, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(message),
    });
  });
});
