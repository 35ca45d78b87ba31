import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import yaml from 'js-yaml';
import { readKeystoreCerts } from '../../src/certs/keystore-reader';
import { run } from '../certs/java';
import { httpsViaProxy, plainViaProxy } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

/**
 * The image, for real, with podman (scripts/container-test.sh builds it and sets the variables).
 * Skipped in the plain `jest` run: it needs podman and a built image.
 */
const enabled = process.env.CONTAINER_TEST === '1';
const IMAGE = process.env.CONTAINER_TEST_IMAGE ?? 'localhost/appinsights-auth-proxy:test';
const HOST = 'westus-0.in.applicationinsights.azure.com';
// slirp4netns with allow_host_loopback: the container reaches the host's 127.0.0.1 as 10.0.2.2,
// and -p still publishes on a host loopback port (so nothing listens beyond loopback).
const HOST_LOOPBACK_FROM_CONTAINER = '10.0.2.2';

async function podman(args: string[], timeoutMs = 60_000) {
  const r = await run('podman', args, process.env, timeoutMs);
  // podman warns on stderr about healthcheck timers when there is no systemd; not a failure.
  return {
    ...r,
    stderr: r.stderr
      .split('\n')
      .filter((l) => !/systemd/.test(l))
      .join('\n'),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

(enabled ? describe : describe.skip)('the container image (podman)', () => {
  const tmp = tempDir('aiproxy-container-');
  const id = `aiproxy-ct-${process.pid}-${Date.now() % 100000}`;
  const caVolume = `${id}-ca`;
  const trustVolume = `${id}-trust`;
  let upstream: TestUpstream;
  let port: number;

  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    chmodSync(upstreamCa, 0o644);
    for (const v of [caVolume, trustVolume]) expect((await podman(['volume', 'create', v])).code).toBe(0);
    // The compose file's init step, run literally in the image: CA + truststore on the volumes.
    const init = (yaml.load(readFileSync(path.join(__dirname, '../../docker/compose.yaml'), 'utf8')) as any)
      .services['proxy-init'];
    const made = await podman([
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      init.entrypoint[0],
      '-v',
      `${caVolume}:/certs`,
      '-v',
      `${trustVolume}:/trust`,
      IMAGE,
      ...init.entrypoint.slice(1),
      ...init.command,
    ]);
    if (made.code !== 0) throw new Error(`init step failed: ${made.stdout}${made.stderr}`);
    port = await freePort();
    const started = await podman([
      'run',
      '-d',
      '--name',
      id,
      '--network',
      'slirp4netns:allow_host_loopback=true',
      '-p',
      `127.0.0.1:${port}:8888`,
      '--health-interval',
      'disable',
      '-v',
      `${caVolume}:/certs`,
      '-v',
      `${upstreamCa}:/upstream/ca.pem:ro`,
      IMAGE,
      'start',
      '--host',
      '0.0.0.0',
      '--port',
      '8888',
      '--log-format',
      'json',
      '--resolve',
      `${HOST}:443=${HOST_LOOPBACK_FROM_CONTAINER}:${upstream.port}`,
      '--upstream-ca',
      '/upstream/ca.pem',
    ]);
    if (started.code !== 0) throw new Error(`podman run failed: ${started.stderr}`);
    const until = Date.now() + 20_000;
    for (;;) {
      const ok = await plainViaProxy(port, '/healthz').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > until)
        throw new Error(`no /healthz within 20 s: ${(await podman(['logs', id])).stdout}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 120_000);

  afterAll(async () => {
    await podman(['rm', '-f', '-t', '0', id]);
    await podman(['volume', 'rm', '-f', caVolume, trustVolume]);
    await upstream?.close();
    tmp.cleanup();
  }, 60_000);

  it('answers /healthz, and the HEALTHCHECK passes', async () => {
    const res = await plainViaProxy(port, '/healthz');
    expect(JSON.parse(res.body.toString())).toMatchObject({ status: 'ok' });
    expect((await podman(['healthcheck', 'run', id])).code).toBe(0);
  });

  it('runs on Node.js 24 (an LTS in support)', async () => {
    expect((await podman(['exec', id, 'node', '--version'])).stdout.trim()).toMatch(/^v24\./);
  });

  it('listening on 0.0.0.0 without --advertise-host, the banner names no address it cannot know, and says which flag to set', async () => {
    const lines = (await podman(['logs', id])).stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const banner = lines.find((l) => l.msg.startsWith('appinsights-auth-proxy listening'));
    expect(banner.env).toBe('HTTPS_PROXY=http://<proxy-host>:8888 NODE_EXTRA_CA_CERTS=/certs/ca.pem');
    expect(banner.javaFlags).not.toContain('0.0.0.0');
    expect(lines.some((l) => l.level === 'warn' && /--advertise-host/.test(l.msg))).toBe(true);
  });

  it('ships the inspector page (built into dist/web), off on 0.0.0.0 without --proxy-auth, and says why', async () => {
    const files = (await podman(['exec', id, 'ls', '/app/dist/web'])).stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['index.html', 'app.js', 'app.css']));
    const lines = (await podman(['logs', id])).stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.level === 'warn' && l.inspector === null && /--proxy-auth/.test(l.msg))).toBe(
      true,
    );
    expect((await plainViaProxy(port, '/api/sessions')).status).toBe(404);
  });

  it('the proxy process (PID 1) is not root', async () => {
    const status = (await podman(['exec', id, 'cat', '/proc/1/status'])).stdout;
    const uids = status.match(/^Uid:\s+(\d+)\s+(\d+)/m)!;
    expect([uids[1], uids[2]]).toEqual(['1000', '1000']);
    expect((await podman(['exec', id, 'cat', '/proc/1/cmdline'])).stdout).toContain('/app/dist/cli/main.js');
  });

  it('the init step made the truststore with the CA the proxy serves', async () => {
    const served = (await plainViaProxy(port, '/ca.pem')).body.toString();
    const mount = (
      await podman(['volume', 'inspect', trustVolume, '--format', '{{.Mountpoint}}'])
    ).stdout.trim();
    const store = readKeystoreCerts(path.join(mount, 'truststore.p12'), 'changeit');
    expect(store.length).toBeGreaterThan(50);
    expect(new X509Certificate(store[0]!.pem).fingerprint256).toBe(
      new X509Certificate(served).fingerprint256,
    );
    expect(readFileSync(path.join(mount, 'ca.pem'), 'utf8')).toBe(served);
  });

  it('relays a request to the local upstream and logs it as an annotated JSON line on stdout', async () => {
    const ca = (await plainViaProxy(port, '/ca.pem')).body.toString();
    const res = await httpsViaProxy({
      proxyPort: port,
      host: HOST,
      path: '/v2/track',
      method: 'POST',
      body: '[]',
      headers: { 'content-type': 'application/json' },
      ca,
    });
    expect(res.status).toBe(200);
    let line: any;
    const until = Date.now() + 10_000;
    while (!line && Date.now() < until) {
      const logs = (await podman(['logs', id])).stdout.split('\n').filter((l) => l.startsWith('{'));
      line = logs.map((l) => JSON.parse(l)).find((l) => l.exchange?.request?.host === HOST);
      if (!line) await new Promise((r) => setTimeout(r, 200));
    }
    expect(line.msg).toBe(`POST ${HOST}/v2/track → 200 OK`);
    expect(line.exchange).toMatchObject({
      request: { method: 'POST', path: '/v2/track' },
      response: { status: 200 },
    });
    // Annotated: the diagnosis ran in the container (an unauthenticated v2 POST draws findings).
    expect(line.findings.length).toBeGreaterThan(0);
    for (const f of line.findings)
      expect(f).toMatchObject({ id: expect.stringMatching(/^[A-Z0-9_]+$/), severity: expect.any(String) });
  });

  it('GET /metrics on the proxy port counts that exchange', async () => {
    const text = (await plainViaProxy(port, '/metrics')).body.toString();
    expect(text).toContain(`aiproxy_exchanges_total{host="${HOST}",path="/v2/track",status="200"} 1`);
    expect(text).toMatch(/^aiproxy_ca_expiry_timestamp_seconds \d+$/m);
  });

  it('podman stop: SIGTERM, a clean exit (code 0, not the SIGKILL after the grace period)', async () => {
    const stopped = await podman(['stop', '-t', '10', id], 30_000);
    expect(stopped.code).toBe(0);
    expect((await podman(['inspect', id, '--format', '{{.State.ExitCode}}'])).stdout.trim()).toBe('0');
  }, 30_000);
});
