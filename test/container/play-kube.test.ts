import path from 'node:path';
import {
  annotated401,
  bannerLine,
  containerTestsEnabled,
  inspect,
  jsonLogs,
  podman,
  REPO,
  tryToReadKey,
  waitFor,
} from './podman';

/**
 * docker/kubernetes/pod-rehearsal.yaml under `podman play kube`, as the README runs it: in one pod,
 * the app container (a JVM) → the proxy container → the fake ingestion container.
 */
const MANIFEST = path.join(REPO, 'docker/kubernetes/pod-rehearsal.yaml');
const POD = 'java-app-rehearsal';
const c = (name: string) => `${POD}-${name}`;

(containerTestsEnabled ? describe : describe.skip)('podman play kube: the rehearsal pod', () => {
  beforeAll(async () => {
    await podman(['play', 'kube', '--down', MANIFEST]); // a leftover of an interrupted run
    const played = await podman(['play', 'kube', MANIFEST], 180_000);
    if (played.code !== 0) throw new Error(`play kube failed: ${played.stdout}${played.stderr}`);
  }, 200_000);

  afterAll(async () => {
    await podman(['play', 'kube', '--down', MANIFEST], 120_000);
  }, 150_000);

  it('the init containers ran once and succeeded; the proxy, the fake and the app run', async () => {
    const states = await podman(['ps', '-a', '--filter', `pod=${POD}`, '--format', '{{.Names}} {{.Status}}']);
    const running = states.stdout
      .split('\n')
      .filter((l) => / Up /.test(l))
      .map((l) => l.split(' ')[0]);
    expect(running).toEqual(expect.arrayContaining([c('aiproxy'), c('fake'), c('app')]));
    // podman removes init containers once they succeed: none is left restarting
    expect(states.stdout).not.toMatch(/aiproxy-truststore|fake-ca/);
    expect(await inspect(c('aiproxy'), '{{.Config.User}}')).toMatch(/^1000/);
  });

  it('app → proxy → fake on the pod loopback: the proxy logs the annotated 401; the banner names 127.0.0.1 and /trust', async () => {
    const line = await waitFor(
      async () => annotated401(await jsonLogs(c('aiproxy'))),
      90_000,
      async () =>
        `proxy: ${(await podman(['logs', c('aiproxy')])).stdout}\napp: ${(await podman(['logs', c('app')])).stdout}`,
    );
    expect(line.msg).toMatch(/^POST westus-0\.in\.applicationinsights\.azure\.com\/v2\.1\/track → 401/);
    expect(line.findings.map((f: any) => f.id)).toContain('TOKEN_MISSING');
    expect(line.exchange.request.headers['user-agent']).toMatch(/^Java\//);
    expect(line.exchange.upstream.address).toBe('127.0.0.1:8443');
    const fake = await jsonLogs(c('fake'));
    expect(fake.some((l) => l.event === 'fake.request' && l.path === '/v2.1/track')).toBe(true);
    const banner = bannerLine(await jsonLogs(c('aiproxy')));
    expect(banner.env).toBe('HTTPS_PROXY=http://127.0.0.1:8888 NODE_EXTRA_CA_CERTS=/trust/ca.pem');
  });

  it('read-only root filesystems; the app container cannot read the CA key', async () => {
    for (const name of ['aiproxy', 'fake', 'app'])
      expect((await podman(['exec', c(name), 'touch', '/probe'])).stderr).toMatch(/Read-only file system/);
    const keyDir = await inspect(
      c('aiproxy'),
      '{{range .Mounts}}{{if eq .Destination "/certs"}}{{.Source}}{{end}}{{end}}',
    );
    expect(keyDir).not.toBe('');
    const attempt = await tryToReadKey(c('app'), path.join(keyDir, 'ca.key'));
    expect(attempt.cat).not.toBe(0);
    expect(attempt.found).toBe('');
    expect((await tryToReadKey(c('aiproxy'), path.join(keyDir, 'ca.key'))).found).toContain('/certs/ca.key');
  }, 240_000);

  it('podman pod stop: the proxy exits 0 on SIGTERM', async () => {
    expect((await podman(['pod', 'stop', '-t', '10', POD], 30_000)).code).toBe(0);
    expect(await inspect(c('aiproxy'), '{{.State.ExitCode}}')).toBe('0');
  }, 40_000);
});
