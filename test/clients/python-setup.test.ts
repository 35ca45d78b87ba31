import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { run } from '../certs/java';
import { cli } from '../cli-ca/run-cli';
import { TRUST_PROXY_CA } from '../../src/diagnosis/catalog/runtime-steps';
import type { TestProxy } from '../helpers/proxy-harness';
import { type ProxiedUpstream, startProxiedUpstream } from '../helpers/proxied-upstream';
import { tempDir } from '../helpers/tmp';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/** Python's requests, as azure-core's default transport uses it; absent on some machines. */
function pythonRequests(): boolean {
  try {
    execFileSync('python3', ['-c', 'import requests'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** A loopback port nothing listens on: a stale proxy setting left in the user's shell. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const POST = `
import requests
r = requests.post("https://${HOST}/v2.1/track", data=b"[]", headers={"Content-Type": "application/json"}, timeout=15)
print("STATUS", r.status_code)
`;

const hasPython = pythonRequests();
const maybe = hasPython ? describe : describe.skip;
if (!hasPython) console.warn('skipped: python3 with the requests package is not installed');

maybe('ca setup python, pasted as printed, with python requests', () => {
  const tmp = tempDir('aiproxy-python-');
  let setup: ProxiedUpstream;
  let proxy: TestProxy;
  beforeAll(async () => {
    setup = await startProxiedUpstream(HOST);
    proxy = setup.proxy;
  }, 60_000);
  afterAll(async () => {
    await setup?.close();
    tmp.cleanup();
  });

  it('goes through the proxy and trusts its CA even when the shell already has a lower-case https_proxy (Python prefers it)', async () => {
    const printed = await cli([
      'ca',
      'setup',
      'python',
      '--ca-dir',
      proxy.caDir,
      '--proxy-port',
      String(proxy.port),
    ]);
    expect(printed.code).toBe(0);
    const script = path.join(tmp.dir, 'setup.sh');
    writeFileSync(script, `set -e\n${printed.stdout}\npython3 - <<'PY'\n${POST}\nPY\n`);
    const stale = `http://127.0.0.1:${await deadPort()}`;
    const env: NodeJS.ProcessEnv = { ...process.env, https_proxy: stale, no_proxy: '' };
    delete env.HTTPS_PROXY;
    delete env.REQUESTS_CA_BUNDLE;
    delete env.SSL_CERT_FILE;
    const before = proxy.exchanges().length;
    const r = await run('bash', [script], env, 60_000);
    expect(r.stdout + r.stderr).toContain('STATUS 200');
    const lines = await proxy.waitForExchanges(before + 1);
    expect(lines[before].exchange.request).toMatchObject({ host: HOST, path: '/v2.1/track' });
  }, 90_000);
});

describe('Python and .NET read the lower-case proxy variable first, and their CA variables replace the roots', () => {
  it('ca setup dotnet also exports https_proxy and no_proxy, and its undo unsets them', async () => {
    const r = await cli(['ca', 'setup', 'dotnet', '--ca-dir', '/nonexistent-ca-dir']);
    expect(r.stdout).toMatch(/^export https_proxy='http:\/\/127\.0\.0\.1:8888'/m);
    expect(r.stdout).toContain('no_proxy=169.254.169.254');
    expect(r.stdout).toContain('# Undo: unset HTTPS_PROXY https_proxy NO_PROXY no_proxy SSL_CERT_FILE');
  });

  it("the README's Python and .NET rows name https_proxy and never point a root-replacing variable at ca.pem alone", () => {
    const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    for (const runtime of ['Python', '.NET on Linux']) {
      const row = readme.split('\n').find((line) => line.startsWith(`| ${runtime} `));
      expect([runtime, row]).toEqual([runtime, expect.stringContaining('`https_proxy=')]);
      expect(row).not.toMatch(/(REQUESTS_CA_BUNDLE|SSL_CERT_FILE)=certs\/ca\.pem/);
      expect(row).toContain('**plus** `certs/ca.pem`');
    }
  });
});

describe("the findings' Python trust step, run as written", () => {
  it('builds a bundle with the default roots AND the CA where only python3 exists (stock Debian has no `python`)', async () => {
    const tmp = tempDir('aiproxy-python-step-');
    try {
      const ca = path.join(tmp.dir, 'ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMARKER\n-----END CERTIFICATE-----\n');
      const commands = [...TRUST_PROXY_CA.python![0]!.matchAll(/`([^`]+)`/g)]
        .map((m) => m[1]!)
        .filter((c) => c.startsWith('cat ') || c.startsWith('export '))
        .map((c) => c.replace('{caCertPath}', ca));
      expect(commands).toHaveLength(2);
      // No `python` on this PATH: only the system's directories, where Debian installs python3 alone.
      const env = { PATH: '/usr/bin:/bin', HOME: tmp.dir };
      const r = await run(
        'bash',
        ['-c', `cd ${tmp.dir} && ${commands.join(' && ')} && cat "$REQUESTS_CA_BUNDLE"`],
        env,
        30_000,
      );
      const certificates = r.stdout.split('-----BEGIN CERTIFICATE-----').length - 1;
      expect(r.stdout).toContain('MARKER');
      expect(certificates).toBeGreaterThan(10);
    } finally {
      tmp.cleanup();
    }
  });
});
