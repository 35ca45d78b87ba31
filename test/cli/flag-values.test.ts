import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { hostPatterns } from '../../src/cli/start-flags';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * Flag values refused since issue 14's list (test/proxy/start-flags.test.ts): a file that cannot
 * be written, a proxy URL whose password must not be quoted back, and the other commands'
 * numbers and paths. Each exits 2 with a clear message, before anything listens (the built CLI).
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

const WRITE_CASES: [string[], RegExp][] = [
  // A file that cannot be written stops the start with the reason (it used to crash, or spin: Node's
  // recursive mkdir retries forever where mkdir answers ENOENT under an existing parent, as in /proc).
  [['--log-file', tmp.dir], /--log-file .*: cannot write it \(EISDIR\)/],
  [
    ['--log-file', '/proc/no-such-dir/proxy.log'],
    /--log-file \/proc\/no-such-dir\/proxy\.log: cannot write it \(ENOENT\)/,
  ],
  [['--har', tmp.dir], /--har .*: cannot write it \(EISDIR\)/],
  [
    ['--har', '/proc/no-such-dir/a/b.har'],
    /--har \/proc\/no-such-dir\/a\/b\.har: cannot write it \(ENOENT\)/,
  ],
  [['--log-file', ''], /--log-file: expected a file path/],
];

describe('start: a file it cannot write exits 2 with the reason (built CLI)', () => {
  it.each(WRITE_CASES)('%j', (args, message) => {
    const { code, stderr } = start(args);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(stderr).toMatch(/Run with --help for usage/);
  });
});

/**
 * A usage error may quote the value it refuses, and stderr is collected like the log: a proxy
 * password must not be in it, whatever shape the broken value has (a '/' or a space in the
 * password, no scheme, no user, the wrong scheme), nor in `check --via`'s.
 */
const SECRET = 'Sup3rSecret';
const BROKEN_PROXY_URLS = [
  `http://u:pa/${SECRET}@proxy:1`,
  `http://u:${SECRET} x@bad host:1`,
  `socks5://u:${SECRET}@proxy:1080`,
  `u:${SECRET}@proxy:3128`,
  `${SECRET}@proxy:3128`,
  `http://u:${SECRET}@proxy:notaport`,
  `ftp://:${SECRET}@proxy:21`,
];

describe('a refused proxy URL never shows its password (built CLI)', () => {
  it.each(BROKEN_PROXY_URLS)('start --upstream-proxy %j', (value) => {
    const { code, stderr } = start(['--upstream-proxy', value]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--upstream-proxy "[^"]*\[credentials\]@/);
    expect(stderr).not.toContain(SECRET);
  });

  it('any other message quoting a secret goes through the output redaction (--resolve with a URL password)', () => {
    const { code, stderr } = start(['--resolve', `https://u:${SECRET}@h:1`]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--resolve "https:\/\/u:\[redacted\]@h:1"/);
    expect(stderr).not.toContain(SECRET);
  });

  it.each(BROKEN_PROXY_URLS)('check --via %j', (value) => {
    const run = spawnSync(
      process.execPath,
      [
        CLI,
        'check',
        '--connection-string',
        'InstrumentationKey=11111111-2222-3333-4444-555555555555',
        '--via',
        value,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--via "[^"]*\[credentials\]@/);
    expect(run.stderr).not.toContain(SECRET);
  });
});

describe('inspect, check, har and ca: invalid values exit 2 with the value as typed (built CLI)', () => {
  const logFile = path.join(tmp.dir, 'one.log');
  writeFileSync(logFile, '{"level":"info","msg":"x"}\n');
  const CS = 'InstrumentationKey=11111111-2222-3333-4444-555555555555';
  it.each([
    [['inspect', logFile, '--port', 'abc'], /--port "abc": expected a whole number from 0 to 65535/],
    [['inspect', logFile, '--port', '70000'], /--port "70000": expected a whole number from 0 to 65535/],
    [['inspect', logFile, '--ui-history', '0'], /--ui-history "0": expected a whole number from 1/],
    [['inspect', logFile, '--ui-history', 'lots'], /--ui-history "lots": expected a whole number from 1/],
    // 1e99 used to pass, and Node's timers turned it into 1 ms: every step "timed out".
    [['check', '--connection-string', CS, '--timeout', '1e99'], /--timeout "1e99": expected a whole number/],
    [['check', '--connection-string', CS, '--timeout', '0'], /--timeout "0": expected a whole number from 1/],
    [['check', '--connection-string', CS, '--timeout', '2.5'], /--timeout "2.5": expected a whole number/],
    [['har', logFile, '--out', tmp.dir], /--out .*: cannot write it \(EISDIR\)/],
    // It hung before, spinning: Node's recursive mkdir retries forever under /proc.
    [
      ['ca', 'init', '--ca-dir', '/proc/no-such-dir/ca'],
      /cannot create the CA directory \/proc\/no-such-dir\/ca: ENOENT/,
    ],
    [
      ['har', logFile, '--out', '/proc/no-such-dir/x.har'],
      /--out \/proc\/no-such-dir\/x\.har: cannot write it \(ENOENT\)/,
    ],
  ])('%j', (args, message) => {
    const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
    expect({ code: run.status, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(message),
    });
  });
});

/**
 * --intercept and --no-intercept took any text: a URL, a host with its port or a bare `*` never
 * matched, so the proxy silently decrypted (or did not) what the user meant otherwise.
 */
describe('start and ca: a host pattern that could never match exits 2 (built CLI)', () => {
  it.each([
    [
      ['--intercept', 'https://ingest.example.com/'],
      /--intercept "https:\/\/ingest\.example\.com\/": expected a host name.*\(did you mean ingest\.example\.com\?\)/,
    ],
    [
      ['--intercept', 'ingest.example.com:443'],
      /--intercept "ingest\.example\.com:443": expected a host name/,
    ],
    [['--no-intercept', '*'], /--no-intercept "\*": expected a host name, an IP address or \*\.domain/],
    [['--no-intercept', 'a b/c'], /--no-intercept "b\/c": expected a host name/],
    [['--intercept', ''], /--intercept: expected a host name or \*\.domain/],
  ])('start %j', (args, message) => {
    const { code, stderr } = start(args);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  });

  it('AIPROXY_INTERCEPT too, and ca init --intercept', () => {
    const fromEnv = start([], { AIPROXY_INTERCEPT: 'http://ingest.example.com' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/--intercept "http:\/\/ingest\.example\.com"/);
    const ca = spawnSync(
      process.execPath,
      [CLI, 'ca', 'init', '--ca-dir', path.join(tmp.dir, 'ca-pattern'), '--intercept', 'x.example.com:8443'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect({ code: ca.status, stderr: ca.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(/--intercept "x\.example\.com:8443"/),
    });
  });

  it('several hosts in one value (commas or spaces, as AIPROXY_INTERCEPT holds them), one spelling each', () => {
    expect(hostPatterns('intercept')(['a.example.com, B.example.com.', '[::1]'])).toEqual([
      'a.example.com',
      'b.example.com',
      '::1',
    ]);
  });
});

/**
 * yargs reads a boolean's text "true" as true and anything else as false: AIPROXY_EXPECT_ENTRA=1
 * or --summary=TRUE started with the flag silently off. Such a value now exits 2, on every command.
 */
describe('a boolean flag given anything but true or false exits 2 (built CLI)', () => {
  it.each([
    [{ AIPROXY_EXPECT_ENTRA: '1' }, [], /AIPROXY_EXPECT_ENTRA "1": expected true or false/],
    [{ AIPROXY_UPSTREAM_INSECURE: 'yes' }, [], /AIPROXY_UPSTREAM_INSECURE "yes": expected true or false/],
    [{ AIPROXY_ANALYSIS: '' }, [], /AIPROXY_ANALYSIS "": expected true or false/],
    [{}, ['--summary=TRUE'], /--summary "TRUE": expected true or false/],
  ])('start with %j %j', (env, args, message) => {
    // port 0: a value that slipped through starts a proxy until the 20 s bound
    const { code, stderr } = start(['--port=0', ...args], env);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  });

  it.each([
    [['explain', '401', '--all=1'], {}, /--all "1": expected true or false/],
    [['pretty'], { AIPROXY_ONLY_FINDINGS: 'on' }, /AIPROXY_ONLY_FINDINGS "on": expected true or false/],
  ])('%j with %j', (args, env, message) => {
    const run = spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      input: '',
      env: { ...process.env, ...env },
    });
    expect({ code: run.status, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(message),
    });
  });

  it('true and false still work, from the environment and as --flag=value', () => {
    const run = spawnSync(process.execPath, [CLI, 'explain', '401', '--all=false'], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, AIPROXY_ALL: 'true' },
    });
    expect(run.status).toBe(0);
  });
});

/**
 * fake-ingestion took a listen address it could not resolve (exit 1, "getaddrinfo ENOTFOUND"), an
 * http:// or unparsable --redirect-location (exit 1, the flag unnamed) and any --ikey (a key no
 * connection string can hold: every request then failed). Each now exits 2 naming the flag.
 */
describe('fake-ingestion: invalid values exit 2 naming the flag (built CLI)', () => {
  it.each([
    [['--host', 'bad!host'], /--host "bad!host": expected an IP address or a host name/],
    [['--imds-port', '0', '--imds-host', 'bad!host'], /--imds-host "bad!host": expected an IP address/],
    [
      ['--redirect-location', 'http://x.example/'],
      /--redirect-location "http:\/\/x\.example\/": expected a full https:\/\//,
    ],
    [['--redirect-location', 'nowhere'], /--redirect-location "nowhere": expected a full https:\/\//],
    [['--ikey', 'not-a-guid-key'], /--ikey "not-\*\*\*\*": expected an instrumentation key \(a GUID\)/],
    [
      ['--ikey', '{11111111-2222-3333-4444-555555555555}'],
      /--ikey "\{111\*\*\*\*": expected an instrumentation key/,
    ],
    // given twice: an array reached the server (a reason phrase "a,b", a redirect to "https://a/,https://b/")
    [['--reason-401', 'a', '--reason-401', 'b'], /--reason-401 was given more than once/],
    [
      ['--redirect-location', 'https://a/', '--redirect-location', 'https://b/'],
      /--redirect-location was given more than once/,
    ],
    [['--cert', 'x', '--cert', 'y'], /--cert was given more than once/],
    // an empty name (an unset variable) matched no token, and the fake refused every one unexplained
    [['--tenant', ''], /--tenant: an empty value/],
    [['--audience', ''], /--audience: an empty value/],
    [
      ['--publisher', 'aaaaaaaa-0000-0000-0000-000000000001', '--publisher', ' '],
      /--publisher: an empty value/,
    ],
  ])('%j', (args, message) => {
    const run = spawnSync(
      process.execPath,
      [CLI, 'fake-ingestion', '--port', '0', `--ca-dir=${path.join(tmp.dir, 'fake')}`, ...args],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect({ code: run.status, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringMatching(message),
    });
    expect(run.stderr).not.toContain('2222-3333');
  });
});

/**
 * A refused connection string did not say where it came from: with a stale
 * APPLICATIONINSIGHTS_CONNECTION_STRING in the shell and no --connection-string, "connection
 * string: InstrumentationKey ... is not a GUID" pointed nowhere.
 */
describe('start: a refused connection string names its source (built CLI)', () => {
  it.each([
    [
      [],
      { APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=abc' },
      /: APPLICATIONINSIGHTS_CONNECTION_STRING: connection string: InstrumentationKey/,
    ],
    [
      ['--connection-string', 'InstrumentationKey=abc'],
      {},
      /: --connection-string: connection string: InstrumentationKey/,
    ],
    [
      [
        '--connection-string',
        'InstrumentationKey=11111111-2222-3333-4444-555555555555',
        '--connection-string',
        'x',
      ],
      {},
      /: --connection-string #2: connection string: "x" at position 0 is not key=value/,
    ],
    // It was dropped silently: the proxy started checking no iKey or audience at all.
    [['--connection-string', ''], {}, /: --connection-string is empty \(an unset variable\?\)/],
  ])('%j %j', (args, env, message) => {
    const { code, stderr } = start(['--port=0', ...args], env);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  });
});
