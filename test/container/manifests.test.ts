import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const root = path.join(__dirname, '..', '..');
const load = (file: string): any => yaml.load(readFileSync(path.join(root, file), 'utf8'));

/** -Dname=value pairs of a JAVA_TOOL_OPTIONS string. */
function jvmFlags(options: string): Record<string, string> {
  return Object.fromEntries(
    options
      .split(/\s+/)
      .filter((f) => f.startsWith('-D'))
      .map((f) => {
        const [k, ...v] = f.slice(2).split('=');
        return [k!, v.join('=')];
      }),
  );
}

const HEALTHZ = /http:\/\/127\.0\.0\.1:8888\/healthz/;

describe('docker/compose.yaml: the sidecar wiring', () => {
  const compose = load('docker/compose.yaml');
  const { proxy, app } = compose.services;
  const init = compose.services['proxy-init'];

  it('the proxy listens on 0.0.0.0:8888 with its CA on a named volume, and has a /healthz healthcheck', () => {
    expect(proxy.command).toEqual(
      expect.arrayContaining(['start', '--host', '0.0.0.0', '--port', '8888', '--ca-dir', '/certs']),
    );
    expect(proxy.volumes).toContain('proxy-ca:/certs');
    expect(proxy.healthcheck.test.join(' ')).toMatch(HEALTHZ);
    expect(compose.volumes).toHaveProperty('proxy-ca');
    expect(compose.volumes).toHaveProperty('proxy-trust');
  });

  it('an init step makes the CA and the truststore before the proxy, and the app waits for a healthy proxy', () => {
    expect(init.command.join(' ')).toMatch(/ca truststore --ca-dir \/certs --out \/trust\/truststore\.p12/);
    expect(init.volumes).toEqual(expect.arrayContaining(['proxy-ca:/certs', 'proxy-trust:/trust']));
    expect(proxy.depends_on['proxy-init'].condition).toBe('service_completed_successfully');
    expect(app.depends_on.proxy.condition).toBe('service_healthy');
  });

  it("the app's JAVA_TOOL_OPTIONS point at the proxy service and at the truststore on the shared volume (not the key)", () => {
    const flags = jvmFlags(app.environment.JAVA_TOOL_OPTIONS);
    expect(flags).toMatchObject({
      'https.proxyHost': 'proxy',
      'https.proxyPort': '8888',
      'javax.net.ssl.trustStore': '/trust/truststore.p12',
      'javax.net.ssl.trustStoreType': 'PKCS12',
      'javax.net.ssl.trustStorePassword': 'changeit',
    });
    expect(flags['http.nonProxyHosts']).toContain('169.254.169.254');
    expect(app.volumes).toEqual(['proxy-trust:/trust:ro']);
  });

  it('the proxy services share one image, built from docker/Dockerfile', () => {
    expect(init.image).toBe(proxy.image);
    expect(init.build.dockerfile).toBe('docker/Dockerfile');
  });
});

describe('docker/kubernetes/pod.yaml: a native sidecar', () => {
  const pod = load('docker/kubernetes/pod.yaml');
  const [truststore, sidecar] = pod.spec.initContainers;
  const app = pod.spec.containers[0];

  it('is a Pod whose proxy is an init container with restartPolicy: Always, after the truststore step', () => {
    expect(pod).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    expect(truststore.restartPolicy).toBeUndefined();
    expect(truststore.args.join(' ')).toMatch(
      /ca truststore --ca-dir \/certs --out \/trust\/truststore\.p12/,
    );
    expect(sidecar.restartPolicy).toBe('Always');
    expect(sidecar.args).toEqual(expect.arrayContaining(['start', '--port', '8888', '--ca-dir', '/certs']));
  });

  it('shares the trust volume with the app (read-only); the CA key volume stays with the proxy', () => {
    const mounts = (c: any) => Object.fromEntries(c.volumeMounts.map((m: any) => [m.name, m.mountPath]));
    expect(pod.spec.volumes.map((v: any) => v.name)).toEqual(['aiproxy-ca', 'aiproxy-trust']);
    expect(mounts(truststore)).toEqual({ 'aiproxy-ca': '/certs', 'aiproxy-trust': '/trust' });
    expect(mounts(sidecar)).toEqual({ 'aiproxy-ca': '/certs' });
    expect(app.volumeMounts).toEqual([{ name: 'aiproxy-trust', mountPath: '/trust', readOnly: true }]);
  });

  it('has startup and liveness probes against /healthz', () => {
    expect(sidecar.startupProbe.exec.command.join(' ')).toMatch(HEALTHZ);
    expect(sidecar.livenessProbe.exec.command.join(' ')).toMatch(HEALTHZ);
  });

  it("the app's JAVA_TOOL_OPTIONS reach the sidecar on the pod's loopback and use the shared truststore", () => {
    const options = app.env.find((e: any) => e.name === 'JAVA_TOOL_OPTIONS').value;
    expect(jvmFlags(options)).toMatchObject({
      'https.proxyHost': '127.0.0.1',
      'https.proxyPort': '8888',
      'javax.net.ssl.trustStore': '/trust/truststore.p12',
      'javax.net.ssl.trustStorePassword': 'changeit',
    });
    expect(sidecar.args).toEqual(expect.arrayContaining(['--host', '127.0.0.1']));
  });

  it('runs as non-root with a group that can write the emptyDir volumes', () => {
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');
  it('multi-stage from node:20-bookworm-slim, production deps, non-root, volume, healthcheck, start on 0.0.0.0:8888', () => {
    expect(dockerfile.match(/^FROM node:20-bookworm-slim/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/certs"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "-e", "[^\n]*\/healthz/m);
    expect(dockerfile).toMatch(
      /^CMD \["start", "--host", "0\.0\.0\.0", "--port", "8888", "--log-format", "json"\]$/m,
    );
  });
});
