import path from 'node:path';
import {
  annotated401,
  bannerLine,
  compose,
  containerTestsEnabled,
  inspect,
  jsonLogs,
  jvmFlags,
  podman,
  tryToReadKey,
  volumePath,
  waitFor,
} from './podman';

/**
 * docker/compose.yaml + docker/compose.rehearsal.yaml under a real compose implementation
 * (docker-compose 1.29 driving podman's Docker-compatible API; scripts/container-test.sh starts it):
 * app container (a JVM) → proxy container → fake ingestion container, no Azure anywhere. `up --build`
 * as the README says (podman's layer cache makes the rebuild quick: container-test.sh built them).
 */
const project = `aiproxyct${process.pid}`;
const container = (service: string) => `${project}_${service}_1`;

(containerTestsEnabled ? describe : describe.skip)(
  'compose: the sidecar rehearsal (docker-compose on podman)',
  () => {
    let upLog = '';

    beforeAll(async () => {
      // Podman runs HEALTHCHECKs from systemd timers, and there is no systemd here: while compose
      // waits for "service_healthy", this loop plays the timer (podman healthcheck run records the result).
      let upDone = false;
      const up = compose(project, ['up', '-d', '--build']).then((r) => {
        upDone = true;
        return r;
      });
      for (let i = 0; i < 240 && !upDone; i++) {
        await podman(['healthcheck', 'run', container('proxy')], 15_000);
        await new Promise((r) => setTimeout(r, 500));
      }
      const r = await up;
      upLog = r.stdout + r.stderr;
      if (r.code !== 0) throw new Error(`docker-compose up failed: ${upLog}`);
    }, 240_000);

    afterAll(async () => {
      await compose(project, ['down', '-v', '-t', '5'], { timeoutMs: 120_000 });
    }, 150_000);

    it('variables with defaults expand: the rehearsal connection string, not "${...}"', async () => {
      for (const service of ['proxy', 'app']) {
        const env = await inspect(container(service), '{{json .Config.Env}}');
        const cs = (JSON.parse(env) as string[]).find((e) =>
          e.startsWith('APPLICATIONINSIGHTS_CONNECTION_STRING='),
        );
        expect(cs).toMatch(
          /^APPLICATIONINSIGHTS_CONNECTION_STRING=InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=https:\/\/westus-0\./,
        );
      }
      // the base file alone, with the variable unset: an empty value (the proxy then runs without one) ...
      const { APPLICATIONINSIGHTS_CONNECTION_STRING: _unset, ...env } = process.env;
      const base = await compose(project, ['config'], { files: ['compose.yaml'], env });
      expect(base.code).toBe(0);
      expect(base.stdout).not.toContain('${');
      expect(base.stdout).toMatch(/APPLICATIONINSIGHTS_CONNECTION_STRING: ''/);
      // ... and with it set, its value
      const cs =
        'InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://example.in.applicationinsights.azure.com/';
      const set = await compose(project, ['config'], {
        files: ['compose.yaml'],
        env: { ...env, APPLICATIONINSIGHTS_CONNECTION_STRING: cs },
      });
      expect(set.stdout.split(cs).length - 1).toBe(3); // proxy-init, proxy and app
    });

    it('start order holds: the init steps finished before the proxy and the fake started; the app waited for a healthy proxy', async () => {
      const t = async (name: string, field: string) =>
        Date.parse(await inspect(container(name), `{{.State.${field}}}`));
      expect(await inspect(container('proxy-init'), '{{.State.ExitCode}}')).toBe('0');
      expect(await inspect(container('fake-init'), '{{.State.ExitCode}}')).toBe('0');
      expect(await t('proxy-init', 'FinishedAt')).toBeLessThanOrEqual(await t('proxy', 'StartedAt'));
      expect(await t('fake-init', 'FinishedAt')).toBeLessThanOrEqual(await t('fake', 'StartedAt'));
      expect(await t('proxy', 'StartedAt')).toBeLessThanOrEqual(await t('app', 'StartedAt'));
      expect(await inspect(container('proxy'), '{{.State.Health.Status}}')).toBe('healthy');
    });

    it("the banner tells the app what IT uses: the service name and the truststore on the app's mount", async () => {
      const banner = await waitFor(
        async () => bannerLine(await jsonLogs(container('proxy'))),
        30_000,
        async () => (await podman(['logs', container('proxy')])).stdout,
      );
      expect(banner.env).toBe('HTTPS_PROXY=http://proxy:8888 NODE_EXTRA_CA_CERTS=/trust/ca.pem');
      expect(jvmFlags(banner.javaFlags)).toMatchObject({
        'https.proxyHost': 'proxy',
        'javax.net.ssl.trustStore': '/trust/truststore.p12',
      });
      expect(`${banner.env} ${banner.javaFlags}`).not.toMatch(/0\.0\.0\.0|\/certs/);
    });

    it('app container → proxy container → fake: the proxy logs the annotated 401 on stdout', async () => {
      const line = await waitFor(
        async () => annotated401(await jsonLogs(container('proxy'))),
        90_000,
        async () =>
          `proxy: ${(await podman(['logs', container('proxy')])).stdout}\napp: ${(await podman(['logs', container('app')])).stdout}`,
      );
      expect(line.msg).toMatch(/^POST westus-0\.in\.applicationinsights\.azure\.com\/v2\.1\/track → 401/);
      expect(line.findings.map((f: any) => f.id)).toContain('TOKEN_MISSING');
      expect(line.findings[0].guidance.fix.length).toBeGreaterThan(0);
      // from the app's container (its address on the compose network) ...
      const appIp = await inspect(
        container('app'),
        '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
      );
      expect(line.exchange.client.address).toBe(appIp);
      expect(line.exchange.request.headers['user-agent']).toMatch(/^Java\//);
      // ... to the fake, which received it (its own log line)
      const fake = await jsonLogs(container('fake'));
      expect(fake.some((l) => l.event === 'fake.request' && l.path === '/v2.1/track')).toBe(true);
      expect((await podman(['logs', container('app')])).stdout).toContain('status=401 usingProxy=true');
    });

    it('the app container cannot read the CA key: not at /certs, nowhere on its filesystem; /trust is public and read-only', async () => {
      const keyFile = path.join(await volumePath(`${project}_proxy-ca`), 'ca.key');
      const attempt = await tryToReadKey(container('app'), keyFile);
      expect(attempt.cat).not.toBe(0);
      expect(attempt.found).toBe('');
      expect(
        (await podman(['exec', container('app'), 'ls', '/trust'])).stdout.split('\n').filter(Boolean).sort(),
      ).toEqual(['ca.pem', 'truststore.p12']);
      expect((await podman(['exec', container('app'), 'touch', '/trust/x'])).code).not.toBe(0);
      for (const service of ['app', 'proxy'])
        expect((await podman(['exec', container(service), 'touch', '/probe'])).stderr).toMatch(
          /Read-only file system/,
        );
      // and the same search inside the proxy finds it: the search works
      expect((await tryToReadKey(container('proxy'), keyFile)).found).toContain('/certs/ca.key');
    }, 240_000);

    it('podman stop: the proxy handles SIGTERM and exits 0 (no SIGKILL after the grace period)', async () => {
      const stopped = await podman(['stop', '-t', '10', container('proxy')], 30_000);
      expect(stopped.code).toBe(0);
      expect(await inspect(container('proxy'), '{{.State.ExitCode}}')).toBe('0');
    }, 40_000);
  },
);
