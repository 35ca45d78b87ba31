/**
 * `check` without a namespace: a TLS-inspecting middlebox named from its issuer (a real handshake
 * with a certificate chain made here), the Private Link note, and usage errors (exit 2).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { dnsStep } from '../../src/check/network-steps';
import { parseStep } from '../../src/check/parse-step';
import { classifyIssuer } from '../../src/check/tls-issuer';
import { tokenStep } from '../../src/check/token-step';
import { cli } from '../cli-ca/run-cli';
import { runCli } from '../helpers/cli-process';
import { startTestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';

const IKEY = '11111111-2222-3333-4444-555555555555';

/** A CA that calls itself Zscaler (as a corporate TLS inspector's does) and a leaf for localhost. */
function middleboxChain(dir: string): { caPem: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/O=Zscaler Inc./CN=Zscaler Root CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  run(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost']);
  writeFileSync(path.join(dir, 'ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run([
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'leaf.pem',
    '-days',
    '2',
    '-extfile',
    'ext',
  ]);
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return { caPem: path.join(dir, 'ca.pem'), key: read('leaf.key'), cert: read('leaf.pem') };
}

describe('check: TLS issuer', () => {
  it('names a TLS-inspecting middlebox from its issuer, prints each step as it completes, sends the record, exits 1', async () => {
    const tmp = tempDir('check-mitm-');
    const chain = middleboxChain(tmp.dir);
    const received: string[] = [];
    // The service holds its answer until the test has looked at what was printed so far.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = https.createServer({ key: chain.key, cert: chain.cert }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${body}`);
        arrived();
        void held.then(() => {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
          res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [] }));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const proc = runCli(['check', '--credential', 'none', '--json'], {
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=https://localhost:${port}/`,
        NODE_EXTRA_CA_CERTS: chain.caPem,
      });
      const closed = new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20000);
        proc.child.once('close', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      await requestArrived;
      // The record is in flight: every earlier step is already printed, the track step cannot be.
      await proc.waitForLine((l) => l.step === 'token');
      expect(proc.lines().map((l) => l.step)).toEqual(['parse', 'dns', 'tcp', 'tls', 'token']);
      release();
      const exit = await closed;
      const lines = proc.lines();
      const tls = lines.find((l) => l.step === 'tls');
      expect(tls).toMatchObject({
        status: 'warning',
        details: { issuedBy: 'middlebox', middlebox: 'Zscaler', trusted: true },
      });
      expect(tls.summary).toContain('a TLS-inspecting middlebox (Zscaler)');
      expect(lines.find((l) => l.step === 'track')).toMatchObject({ status: 'ok', details: { status: 200 } });
      expect(received[0]).toMatch(
        /^POST \/v2\.1\/track .*appinsights-auth-proxy check: connectivity test record/,
      );
      expect(lines.at(-1)).toMatchObject({ verdict: 'warnings', exitCode: 1 });
      expect(exit).toBe(1);
    } finally {
      server.close();
      tmp.cleanup();
    }
  }, 30000);

  it("recognises Microsoft's chain and this tool's own CA", () => {
    const cert = (subject: Record<string, string>, issuer: Record<string, string>) =>
      ({ subject, issuer }) as any;
    expect(
      classifyIssuer([
        cert(
          { CN: '*.in.applicationinsights.azure.com' },
          { CN: 'Microsoft Azure RSA TLS Issuing CA 04', O: 'Microsoft Corporation' },
        ),
      ]).kind,
    ).toBe('microsoft');
    expect(
      classifyIssuer([
        cert({ CN: 'x' }, { CN: 'appinsights-auth-proxy leaf issuer', O: 'appinsights-auth-proxy' }),
      ]).kind,
    ).toBe('this-tool');
    expect(classifyIssuer([cert({ CN: 'x' }, { CN: 'Corp Root', O: 'Contoso' })])).toMatchObject({
      kind: 'unknown',
      name: 'Corp Root, Contoso',
    });
  });
});

describe('check: --via a proxy that asks for credentials (start --proxy-auth)', () => {
  it('sends them on CONNECT (exit as the service answers); a wrong password is a 407 at tcp; neither password is printed', async () => {
    const tmp = tempDir('check-auth-');
    const chain = middleboxChain(tmp.dir);
    const server = https.createServer({ key: chain.key, cert: chain.cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const proxy = await startTestProxy({ proxyAuth: 'checker:s3cret-proxy-pass' });
    const run = async (password: string) => {
      const proc = runCli(
        [
          'check',
          '--credential',
          'none',
          '--json',
          '--via',
          `http://checker:${password}@127.0.0.1:${proxy.port}`,
        ],
        {
          APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=https://localhost:${port}/`,
          NODE_EXTRA_CA_CERTS: chain.caPem,
        },
      );
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20000);
        proc.child.once('close', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      return { code, lines: proc.lines(), text: proc.stdout() + proc.stderr() };
    };
    try {
      const good = await run('s3cret-proxy-pass');
      expect(good.lines.find((l) => l.step === 'tcp').summary).toContain(
        `opened by the proxy http://127.0.0.1:${proxy.port}`,
      );
      expect(good.lines.find((l) => l.step === 'track').details.status).toBe(200);
      expect(good.code).toBe(1); // the middlebox warning of the service's certificate
      const bad = await run('wrong-proxy-pass');
      expect(bad.code).toBe(3);
      expect(bad.lines.find((l) => l.step === 'tcp')).toMatchObject({ status: 'failed' });
      expect(bad.lines.find((l) => l.step === 'tcp').summary).toContain('with 407');
      for (const text of [good.text, bad.text, proxy.raw()]) {
        expect(text).not.toContain('s3cret-proxy-pass');
        expect(text).not.toContain('wrong-proxy-pass');
      }
    } finally {
      await proxy.close();
      server.close();
      tmp.cleanup();
    }
  }, 40000);
});

describe('check: --timeout', () => {
  it('a server that accepts but never speaks TLS fails the TLS step after --timeout ms: blocked, exit 3', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const proc = runCli(['check', '--credential', 'none', '--json', '--timeout', '500'], {
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=https://127.0.0.1:${port}/`,
      });
      const exit = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20000);
        proc.child.once('close', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      expect(proc.lines().find((l) => l.step === 'tls')).toMatchObject({
        status: 'failed',
        summary: 'no TLS handshake within 500 ms',
      });
      expect(exit).toBe(3);
      expect(proc.stderr()).toBe('');
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  }, 30000);
});

describe('check: a credential that cannot be built', () => {
  const names = ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_FEDERATED_TOKEN_FILE'];
  const saved = names.map((name) => process.env[name]);
  beforeAll(() => names.forEach((name) => delete process.env[name]));
  afterAll(() =>
    names.forEach((name, i) => {
      if (saved[i] !== undefined) process.env[name] = saved[i];
    }),
  );

  // Its constructor threw out of the step: exit 1 (the code for warnings) and --json had no verdict.
  it('workload identity outside a configured pod: the token step fails (blocked), with the reason', async () => {
    const { target } = parseStep(`InstrumentationKey=${IKEY};IngestionEndpoint=https://127.0.0.1:1/`);
    const { result } = await tokenStep(
      target!,
      {
        connectionString: '',
        credential: 'workload-identity',
        probeLocalAuth: false,
        timeoutMs: 1000,
      },
      undefined,
    );
    expect(result).toMatchObject({ step: 'token', status: 'failed' });
    expect(result.summary).toMatch(/WorkloadIdentityCredential.*clientId is a required parameter/s);
  });
});

describe('check: DNS', () => {
  it('a private address is Private Link (a note, not a failure)', async () => {
    const { target } = parseStep(`InstrumentationKey=${IKEY};IngestionEndpoint=https://10.1.2.3/`);
    const step = await dnsStep(target!, undefined);
    expect(step.status).toBe('info');
    expect(step.summary).toContain('Private Link');
  });
});

describe('check: a broken connection string is what is being checked: blocked (3) at parse', () => {
  it('says which part is wrong', async () => {
    const result = await cli(['check', '--json', '--connection-string', 'InstrumentationKey=nope']);
    expect(result.code).toBe(3);
    const first = JSON.parse(result.stdout.split('\n')[0]!);
    expect(first).toMatchObject({ step: 'parse', status: 'failed' });
    expect(first.summary).toMatch(/InstrumentationKey .* is not a GUID/);
  });

  // It went on to test TLS on port 443 (the record would go to port 80 in clear) and failed there
  // with OpenSSL's "wrong version number".
  it('an http:// IngestionEndpoint: no TLS to test, a token would cross in clear', async () => {
    const result = await cli([
      'check',
      '--json',
      '--credential',
      'none',
      '--connection-string',
      `InstrumentationKey=${IKEY};IngestionEndpoint=http://127.0.0.1:1/`,
    ]);
    expect(result.code).toBe(3);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ step: 'parse', status: 'failed' });
    expect(lines[0].summary).toMatch(/is plain http:\/\/: ingestion takes HTTPS only.*use https:\/\//);
    expect(lines.map((l) => l.step ?? 'verdict')).toEqual(['parse', 'verdict']);
  });
});

describe('check: usage errors exit 2 and say why', () => {
  const saved = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  beforeEach(() => delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING);
  afterAll(() => {
    if (saved !== undefined) process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = saved;
  });
  const cs = `InstrumentationKey=${IKEY};IngestionEndpoint=https://localhost:1/`;
  const secrets = tempDir('check-usage-');
  afterAll(() => secrets.cleanup());
  const emptySecret = path.join(secrets.dir, 'empty-secret');
  writeFileSync(emptySecret, '\n');

  it.each<[string[], RegExp, string[]?]>([
    [[], /no connection string/],
    [
      ['--connection-string', cs, '--via', 'ftp://proxy:21'],
      /--via "ftp:\/\/proxy:21" is not an http:\/\/ proxy URL/,
    ],
    [['--connection-string', cs, '--credential', 'password'], /Invalid values/],
    [
      ['--connection-string', cs, '--via', 'socks5://u:hunter2-secret@proxy:1080'],
      /--via "socks5:\/\/\[credentials\]@proxy:1080" is not/,
    ],
    [['--connection-string', cs, '--client-secret', 'hunter2-secret'], /not accepted on the command line/],
    // The secret itself given where its variable's name or its file's path belongs: not echoed.
    [
      [
        '--connection-string',
        cs,
        '--credential',
        'client-secret',
        '--client-secret-env',
        'Ab8Q~hunter2-secret.x',
      ],
      /--client-secret-env takes the NAME of an environment variable/,
    ],
    [
      [
        '--connection-string',
        cs,
        '--credential',
        'client-secret',
        '--client-secret-file',
        'Ab8Q~hunter2-secret.x',
      ],
      /--client-secret-file: cannot read the file it names \(ENOENT/,
    ],
    // An array reached the identity library: "tenantId.match is not a function", blocked (exit 3).
    [
      ['--connection-string', cs, '--tenant-id', 'a', '--tenant-id', 'b'],
      /--tenant-id was given more than once/,
    ],
    [
      ['--connection-string', cs, '--via', 'http://u:hunter2-secret@p:1', '--via', 'http://p:2'],
      /--via was given more than once/,
    ],
    [['--connection-string', cs, '--connection-string', cs], /--connection-string was given more than once/],
    // Found only at the token step, these came after DNS, TCP and TLS and left --json without a verdict.
    [
      ['--connection-string', cs, '--credential', 'client-secret', '--json', '--tenant-id', 't'],
      /client-secret needs --client-id \(or AZURE_CLIENT_ID\), a secret \(AZURE_CLIENT_SECRET is not set\)$/m,
    ],
    [
      ['--connection-string', cs, '--credential', 'client-secret', '--json', '--client-id', 'c'],
      /client-secret needs --tenant-id \(or AZURE_TENANT_ID\), a secret \(--client-secret-file .*empty-secret is empty\)$/m,
      ['--client-secret-file', emptySecret],
    ],
  ])('check %j', async (args, message, more: string[] = []) => {
    const result = await cli(['check', ...args, ...more]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  });

  it('AIPROXY_CLIENT_SECRET (every flag can come from AIPROXY_<FLAG>) is refused for what it is, not as a command-line value', async () => {
    process.env.AIPROXY_CLIENT_SECRET = 'hunter2-secret';
    try {
      const result = await cli(['check', '--connection-string', cs]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('AIPROXY_CLIENT_SECRET is not read');
      expect(result.stderr).toContain('--client-secret-env AIPROXY_CLIENT_SECRET reads that one');
      expect(result.stderr).not.toContain('command line');
      expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
    } finally {
      delete process.env.AIPROXY_CLIENT_SECRET;
    }
  });
});
