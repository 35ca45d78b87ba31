import http from 'node:http';
import path from 'node:path';
import tls from 'node:tls';
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli } from '../helpers/cli-process';
import { connectTunnel, plainViaProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { cli } from './run-cli';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const CREDENTIALS = { 'proxy-authorization': `Basic ${Buffer.from('ops:s3cret').toString('base64')}` };
const WRONG = { 'proxy-authorization': `Basic ${Buffer.from('ops:guess').toString('base64')}` };

/** GET over a CONNECT tunnel opened with the given extra CONNECT headers. */
async function getThroughTunnel(
  proxyPort: number,
  connectHeaders: Record<string, string>,
  ca: string,
): Promise<number> {
  const raw = await connectTunnel(proxyPort, `${HOST}:443`, connectHeaders);
  const socket = tls.connect({ socket: raw, servername: HOST, ca });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        createConnection: () => socket,
        host: HOST,
        path: '/v2.1/track',
        headers: { host: HOST, connection: 'close' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('--proxy-auth USER:PASS', () => {
  const tmp = tempDir('aiproxy-auth-');
  let upstream: TestUpstream;
  let proxy: TestProxy;
  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    proxy = await startTestProxy({
      proxyAuth: 'ops:s3cret',
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('CONNECT without credentials, or with wrong ones, gets 407 with a Basic challenge', async () => {
    await expect(connectTunnel(proxy.port, `${HOST}:443`)).rejects.toThrow(
      'CONNECT refused: HTTP/1.1 407 Proxy Authentication Required',
    );
    await expect(connectTunnel(proxy.port, `${HOST}:443`, WRONG)).rejects.toThrow(/407/);
    expect(upstream.seen).toHaveLength(0);
  });

  it('CONNECT with credentials passes and the request reaches the service', async () => {
    expect(await getThroughTunnel(proxy.port, CREDENTIALS, proxy.caPem)).toBe(200);
    expect(upstream.seen.at(-1)).toMatchObject({ method: 'GET', url: '/v2.1/track' });
    // The credentials are for the proxy: never forwarded.
    expect(upstream.seen.at(-1)!.headers['proxy-authorization']).toBeUndefined();
  });

  it('absolute-form requests (legacy SDK, no CONNECT): 407 without credentials, relayed with them', async () => {
    const denied = await plainViaProxy(proxy.port, `https://${HOST}/v2.1/track`, 'POST', {}, '[]');
    expect(denied.status).toBe(407);
    expect(denied.headers['proxy-authenticate']).toBe('Basic realm="appinsights-auth-proxy"');
    const seen = upstream.seen.length;
    const allowed = await plainViaProxy(proxy.port, `https://${HOST}/v2.1/track`, 'POST', CREDENTIALS, '[]');
    expect(allowed.status).toBe(200);
    expect(upstream.seen).toHaveLength(seen + 1);
  });

  it("the proxy's own /healthz needs no credentials (probes carry none)", async () => {
    expect((await plainViaProxy(proxy.port, '/healthz')).status).toBe(200);
  });
});

describe('proxy credentials: scheme in any case, and kept out of ps', () => {
  const tmp = tempDir('aiproxy-auth2-');
  afterAll(() => tmp.cleanup());

  it('accepts the Basic scheme in any case (RFC 7235), refuses other schemes and bad base64', async () => {
    const proxy = await startTestProxy({ proxyAuth: 'ops:s3cret' });
    try {
      const token = Buffer.from('ops:s3cret').toString('base64');
      for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
        // An intercepted host: the proxy answers 200 itself (no upstream connection is made).
        const tunnel = await connectTunnel(proxy.port, `${HOST}:443`, {
          'proxy-authorization': `${scheme} ${token}`,
        });
        tunnel.destroy();
      }
      for (const given of [`Bearer ${token}`, `Basic ${token}x`, `Basic`, `Basic ${token} extra`]) {
        await expect(
          connectTunnel(proxy.port, `${HOST}:443`, { 'proxy-authorization': given }),
        ).rejects.toThrow(/407/);
      }
    } finally {
      await proxy.close();
    }
  });

  for (const [how, args, env] of [
    ['--proxy-auth-file', (file: string) => [`--proxy-auth-file=${file}`], {}],
    ['AIPROXY_PROXY_AUTH', () => [], { AIPROXY_PROXY_AUTH: 'ops:s3cret' }],
  ] as const) {
    it(`${how}: the built CLI requires the credentials, and the password is not in its command line`, async () => {
      const file = path.join(tmp.dir, `auth-${how.length}`);
      writeFileSync(file, 'ops:s3cret\n', { mode: 0o600 });
      const cli = runCli(
        [
          'start',
          '--port=0',
          `--ca-dir=${path.join(tmp.dir, 'certs')}`,
          '--log-format=json',
          '--summary=false',
          ...args(file),
        ],
        env,
      );
      try {
        const port = await cli.listeningPort();
        await expect(connectTunnel(port, `${HOST}:443`)).rejects.toThrow(/407/);
        await expect(connectTunnel(port, `${HOST}:443`, WRONG)).rejects.toThrow(/407/);
        const ok = await connectTunnel(port, `${HOST}:443`, CREDENTIALS);
        ok.destroy();
        // What `ps` shows is /proc/<pid>/cmdline.
        const cmdline = readFileSync(`/proc/${cli.child.pid}/cmdline`, 'utf8');
        expect(cmdline).not.toContain('s3cret');
      } finally {
        await cli.stop();
      }
    }, 60_000);
  }
});

describe('--proxy-auth-file given USER:PASS itself', () => {
  it('is refused without printing the password; a real missing path is still named', async () => {
    const given = await cli(['start', '--proxy-auth-file', 'alice:hunter2-pw', '--port', '0']);
    expect(given.code).toBe(2);
    expect(given.stderr).toContain('looks like USER:PASS itself');
    expect(given.stdout + given.stderr).not.toContain('hunter2-pw');
    const missing = await cli(['start', '--proxy-auth-file', '/no/such/auth-file', '--port', '0']);
    expect(missing.stderr).toContain('--proxy-auth-file /no/such/auth-file: cannot read it (ENOENT)');
  });
});
