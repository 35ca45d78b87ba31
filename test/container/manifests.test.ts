import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { javaOptions } from '../../src/certs/setup-instructions';
import { tempDir } from '../helpers/tmp';
import { jvmFlags } from './podman';

const root = path.join(__dirname, '..', '..');
const load = (file: string): any => yaml.load(readFileSync(path.join(root, file), 'utf8'));
const HEALTHZ = /http:\/\/127\.0\.0\.1:8888\/healthz/;
const PODS = [
  'docker/kubernetes/pod.yaml',
  'docker/kubernetes/pod-classic.yaml',
  'docker/kubernetes/pod-rehearsal.yaml',
];

/** The Kubernetes API schema check (kubernetes-models, from npm) in a child process: see validate-k8s.mjs. */
function validate(files: string[]): Promise<{ file: string; kind: string; errors: string[] }[]> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path.join(__dirname, 'validate-k8s.mjs'), ...files],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

const mounts = (c: any) => Object.fromEntries((c.volumeMounts ?? []).map((m: any) => [m.name, m.mountPath]));
const envOf = (c: any, name: string) => c.env?.find((e: any) => e.name === name);

describe('Kubernetes manifests: valid against the Kubernetes API schema', () => {
  it('the native-sidecar pod, the classic pod and the rehearsal pod pass', async () => {
    const results = await validate(PODS);
    expect(results.map((r) => [r.file, r.kind, r.errors])).toEqual(PODS.map((f) => [f, 'Pod', []]));
  }, 60_000);

  it('the check has teeth: wrong types in a copy of pod.yaml are rejected', async () => {
    const tmp = tempDir('aiproxy-k8s-');
    try {
      const pod = load('docker/kubernetes/pod.yaml');
      pod.spec.initContainers[1].ports[0].containerPort = 'eight-eight';
      pod.spec.containers[0].securityContext.readOnlyRootFilesystem = 'yes';
      const file = path.join(tmp.dir, 'broken.yaml');
      writeFileSync(file, yaml.dump(pod));
      const [result] = await validate([file]);
      expect(result!.errors.join(' ')).toMatch(/containerPort must be integer/);
      expect(result!.errors.join(' ')).toMatch(/readOnlyRootFilesystem must be boolean/);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  it.each(PODS)(
    '%s: only a restartPolicy: Always init container has probes (the API and podman refuse others)',
    (file) => {
      for (const c of load(file).spec.initContainers ?? [])
        if (c.restartPolicy !== 'Always')
          for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
            expect(c[k]).toBeUndefined();
    },
  );

  it.each(PODS)(
    '%s: non-root, no privilege escalation, read-only root filesystems, resources on every container',
    (file) => {
      const pod = load(file);
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        expect([c.name, c.securityContext]).toEqual([
          c.name,
          { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        ]);
        expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
        expect(c.resources.limits.memory).toEqual(expect.any(String));
      }
    },
  );
});

describe('docker/kubernetes/pod.yaml: a native sidecar', () => {
  const pod = load('docker/kubernetes/pod.yaml');
  const [truststore, sidecar] = pod.spec.initContainers;
  const app = pod.spec.containers[0];

  it('the proxy is an init container with restartPolicy: Always, after the truststore step', () => {
    expect(truststore.restartPolicy).toBeUndefined();
    expect(truststore.args.join(' ')).toMatch(
      /ca truststore --ca-dir \/certs --out \/trust\/truststore\.p12/,
    );
    expect(sidecar.restartPolicy).toBe('Always');
    expect(pod.spec.containers.map((c: any) => c.name)).toEqual(['app']);
    expect(sidecar.startupProbe.exec.command.join(' ')).toMatch(HEALTHZ);
    expect(sidecar.livenessProbe.exec.command.join(' ')).toMatch(HEALTHZ);
  });

  it('the CA split: the key volume only in the proxy containers; the app mounts the public volume read-only', () => {
    expect(mounts(truststore)).toEqual({ 'aiproxy-ca': '/certs', 'aiproxy-trust': '/trust' });
    expect(mounts(sidecar)).toEqual({ 'aiproxy-ca': '/certs' });
    expect(app.volumeMounts).toEqual([{ name: 'aiproxy-trust', mountPath: '/trust', readOnly: true }]);
  });

  it("the banner advertises what the app uses; the app's JAVA_TOOL_OPTIONS agree", () => {
    const args = sidecar.args.join(' ');
    expect(args).toContain('--host 127.0.0.1');
    expect(args).toContain('--advertise-host 127.0.0.1');
    expect(args).toContain('--advertise-trust-dir /trust');
    expect(jvmFlags(envOf(app, 'JAVA_TOOL_OPTIONS').value)).toEqual({
      'https.proxyHost': '127.0.0.1',
      'https.proxyPort': '8888',
      'http.nonProxyHosts': '169.254.169.254|localhost|127.*|[::1]',
      'javax.net.ssl.trustStore': '/trust/truststore.p12',
      'javax.net.ssl.trustStoreType': 'PKCS12',
      'javax.net.ssl.trustStorePassword': 'changeit',
    });
  });
});

describe('docker/kubernetes/pod-classic.yaml and pod-rehearsal.yaml', () => {
  const native = load('docker/kubernetes/pod.yaml');
  const classic = load('docker/kubernetes/pod-classic.yaml');
  const rehearsal = load('docker/kubernetes/pod-rehearsal.yaml');
  const byName = (pod: any, name: string) =>
    [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c: any) => c.name === name);

  it('classic: the same proxy, as a regular container beside the app; same truststore step and app', () => {
    expect(classic.spec.initContainers.map((c: any) => c.name)).toEqual(['aiproxy-truststore']);
    expect(classic.spec.containers.map((c: any) => c.name)).toEqual(['aiproxy', 'app']);
    const { restartPolicy: _r, ...nativeProxy } = byName(native, 'aiproxy');
    expect(byName(classic, 'aiproxy')).toEqual(nativeProxy);
    expect(byName(classic, 'app')).toEqual(byName(native, 'app'));
    expect(byName(classic, 'aiproxy-truststore')).toEqual(byName(native, 'aiproxy-truststore'));
  });

  it('rehearsal: the classic pod plus the fake; the proxy sends every name to it and trusts only its public CA', () => {
    expect(rehearsal.spec.restartPolicy).toBe('OnFailure'); // init containers run once under podman
    const proxy = byName(rehearsal, 'aiproxy');
    const classicProxy = byName(classic, 'aiproxy');
    expect(proxy.args).toEqual(classicProxy.args);
    expect(proxy.securityContext).toEqual(classicProxy.securityContext);
    expect(proxy.livenessProbe).toEqual(classicProxy.livenessProbe);
    expect(envOf(proxy, 'AIPROXY_RESOLVE').value).toBe('*:443=127.0.0.1:8443');
    expect(envOf(proxy, 'AIPROXY_UPSTREAM_CA').value).toBe('/upstream/ca.pem');
    expect(mounts(proxy)).toEqual({ 'aiproxy-ca': '/certs', 'fake-trust': '/upstream' });
    expect(mounts(byName(rehearsal, 'fake'))).toEqual({ 'fake-ca': '/certs' });
    expect(byName(rehearsal, 'fake').args).toEqual(
      expect.arrayContaining(['fake-ingestion', '--port', '8443']),
    );
    const app = byName(rehearsal, 'app');
    expect(app.volumeMounts).toEqual(byName(classic, 'app').volumeMounts);
    expect(envOf(app, 'JAVA_TOOL_OPTIONS')).toEqual(envOf(byName(classic, 'app'), 'JAVA_TOOL_OPTIONS'));
  });
});

describe('docker/compose.yaml and docker/compose.rehearsal.yaml', () => {
  const compose = load('docker/compose.yaml');
  const rehearsal = load('docker/compose.rehearsal.yaml');
  const { proxy, app } = compose.services;
  const init = compose.services['proxy-init'];

  it('the long-running services: read-only root filesystem, no capabilities, no new privileges', () => {
    for (const service of [proxy, app])
      expect(service).toMatchObject({
        read_only: true,
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
      });
  });

  it('the proxy: CA on its own volume, /healthz healthcheck, banner flags for the app', () => {
    expect(proxy.command.join(' ')).toContain('start --host 0.0.0.0 --port 8888 --ca-dir /certs');
    expect(proxy.command.join(' ')).toContain('--advertise-host proxy --advertise-trust-dir /trust');
    expect(proxy.volumes).toEqual(['proxy-ca:/certs']);
    expect(proxy.healthcheck.test.join(' ')).toMatch(HEALTHZ);
    expect(init.volumes).toEqual(['proxy-ca:/certs', 'proxy-trust:/trust']);
    expect(proxy.depends_on['proxy-init'].condition).toBe('service_completed_successfully');
    expect(app.depends_on.proxy.condition).toBe('service_healthy');
  });

  it("the app: JAVA_TOOL_OPTIONS to the proxy service and the public truststore, mounted read-only; never the key's volume", () => {
    expect(jvmFlags(app.environment.JAVA_TOOL_OPTIONS)).toMatchObject({
      'https.proxyHost': 'proxy',
      'https.proxyPort': '8888',
      'javax.net.ssl.trustStore': '/trust/truststore.p12',
    });
    expect(app.volumes).toEqual(['proxy-trust:/trust:ro']);
  });

  it('the rehearsal override adds the fake and points the proxy at it (environment only: the command stays)', () => {
    expect(Object.keys(rehearsal.services).sort()).toEqual(['app', 'fake', 'fake-init', 'proxy']);
    expect(rehearsal.services.proxy.command).toBeUndefined();
    expect(rehearsal.services.proxy.environment).toMatchObject({
      AIPROXY_RESOLVE: '*:443=fake:8443',
      AIPROXY_UPSTREAM_CA: '/upstream/ca.pem',
    });
    expect(rehearsal.services.proxy.volumes).toEqual(['fake-trust:/upstream:ro']);
    expect(rehearsal.services.fake.command).toEqual(
      expect.arrayContaining(['fake-ingestion', '--port', '8443']),
    );
  });
});

describe("the apps' JAVA_TOOL_OPTIONS are the documented ones (ca setup java), with the sidecar's host and mount", () => {
  const documented = (proxyHost: string) =>
    jvmFlags(
      javaOptions({
        proxyHost,
        proxyPort: 8888,
        truststorePath: '/trust/truststore.p12',
        truststorePassword: 'changeit',
        caDir: '/trust',
        caCertPath: '/trust/ca.pem',
      }),
    );
  const podApp = (f: any) =>
    envOf(
      f.spec.containers.find((c: any) => c.name === 'app'),
      'JAVA_TOOL_OPTIONS',
    ).value;
  const cases: [string, string, (f: any) => string][] = [
    ['docker/compose.yaml', 'proxy', (f: any) => f.services.app.environment.JAVA_TOOL_OPTIONS],
    ...PODS.map((file): [string, string, (f: any) => string] => [file, '127.0.0.1', podApp]),
  ];
  it.each(cases)('%s', (file, host, options) => {
    expect(jvmFlags(options(load(file)))).toEqual(documented(host));
  });
});

describe('docker/Dockerfile and docker/test-app/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');
  const testApp = readFileSync(path.join(root, 'docker/test-app/Dockerfile'), 'utf8');
  it('the proxy image: Node 24 LTS in every stage, production deps, non-root, healthcheck, node as PID 1', () => {
    expect(dockerfile.match(/^FROM .*/gm)).toEqual([
      'FROM node:24-bookworm-slim AS build',
      'FROM node:24-bookworm-slim AS deps',
      'FROM node:24-bookworm-slim',
    ]);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "-e", "[^\n]*\/healthz/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", /m);
  });
  it('the JVM test app: Debian JRE on the same local base, non-root, configured by the environment only', () => {
    expect(testApp.match(/^FROM .*/gm)).toEqual([
      'FROM node:24-bookworm-slim AS build',
      'FROM node:24-bookworm-slim',
    ]);
    expect(testApp).toMatch(/openjdk-17-jre-headless/);
    expect(testApp).toMatch(/^USER node$/m);
    expect(testApp).toMatch(/^ENTRYPOINT \["java", "-cp", "\/app", "TelemetryApp"\]$/m);
  });
});
