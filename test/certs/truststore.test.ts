import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findJdk } from '../../src/certs/jdk';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { cli } from '../cli-ca/run-cli';
import { compileJavaPrograms, java, run } from './java';

const INTERCEPTED = 'westus-0.in.applicationinsights.azure.com';
// Not intercepted: the proxy only tunnels it, so the JVM checks the server's own certificate.
const TUNNELLED = 'files.contoso.test';

/** keytool's view of a store: alias -> SHA-256 fingerprint of each trustedCertEntry. */
async function keytoolEntries(store: string): Promise<Map<string, string>> {
  const r = await run('keytool', ['-list', '-keystore', store, '-storepass', 'changeit']);
  if (r.code !== 0) throw new Error(r.stdout + r.stderr);
  const entries = r.stdout.matchAll(/^(\S+), .*, trustedCertEntry,\s*\nCertificate fingerprint \(SHA-256\): (\S+)/gm);
  return new Map([...entries].map((m) => [m[1]!, m[2]!]));
}

describe('ca truststore: this CA + the JDK default roots, accepted by a real JVM', () => {
  const tmp = tempDir('aiproxy-truststore-');
  let upstream: TestUpstream;
  let proxy: TestProxy;
  let classes: string;
  let defaultStore: string;

  beforeAll(async () => {
    upstream = await startUpstream([INTERCEPTED, TUNNELLED]);
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    // "The JDK's default store": a copy of this JDK's cacerts with the test root added, as a
    // company would add its own root. The local server's certificate chains to that root.
    const jdk = findJdk();
    if (!jdk) throw new Error('no JDK found (install openjdk-17-jdk-headless)');
    defaultStore = path.join(tmp.dir, 'jdk', 'lib', 'security', 'cacerts');
    mkdirSync(path.dirname(defaultStore), { recursive: true });
    copyFileSync(jdk.cacerts, defaultStore);
    const imported = await run('keytool', ['-importcert', '-noprompt', '-alias', 'test-company-root', '-file', upstreamCa, '-keystore', defaultStore, '-storepass', 'changeit']);
    if (imported.code !== 0) throw new Error(imported.stdout + imported.stderr);
    proxy = await startTestProxy({
      resolve: [`${INTERCEPTED}:443=127.0.0.1:${upstream.port}`, `${TUNNELLED}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
    });
    classes = await compileJavaPrograms(tmp.dir);
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('holds every entry of the default store plus our CA, as trustedCertEntry items keytool lists', async () => {
    const out = path.join(tmp.dir, 'truststore.p12');
    const r = await cli(['ca', 'truststore', '--ca-dir', proxy.caDir, '--out', out, '--cacerts', defaultStore]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${out}`);
    const ours = await keytoolEntries(out);
    const defaults = await keytoolEntries(defaultStore);
    expect(defaults.size).toBeGreaterThan(50);
    expect(ours.size).toBe(defaults.size + 1);
    // Same aliases, same certificates, and ours on top.
    for (const [alias, fingerprint] of defaults) expect([alias, ours.get(alias)]).toEqual([alias, fingerprint]);
    expect(ours.get('appinsights-auth-proxy-ca')).toBe(new X509Certificate(proxy.caPem).fingerprint256);
    expect(ours.get('test-company-root')).toBe(new X509Certificate(upstream.caPem).fingerprint256);
  }, 120_000);

  it('one JVM with JAVA_TOOL_OPTIONS: an intercepted call through the proxy AND a tunnelled call verified by a default root', async () => {
    const store = path.join(tmp.dir, 'truststore.p12');
    await cli(['ca', 'truststore', '--ca-dir', proxy.caDir, '--out', store, '--cacerts', defaultStore]);
    const before = proxy.exchanges().length;
    const flags = `-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=${proxy.port} -Djavax.net.ssl.trustStore=${store} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit`;
    const r = await java(classes, 'HttpsGet', [`https://${INTERCEPTED}/v2.1/track`, `https://${TUNNELLED}/health`], flags);
    expect(r.stderr).toContain('Picked up JAVA_TOOL_OPTIONS');
    expect(r.stdout).toContain(`OK https://${INTERCEPTED}/v2.1/track 200`);
    expect(r.stdout).toContain(`OK https://${TUNNELLED}/health 200`);
    // The first went through our leaf (logged exchange), the second through a blind tunnel.
    const lines = await proxy.waitForExchanges(before + 1);
    expect(lines.slice(before).map((l) => l.exchange.request.host)).toEqual([INTERCEPTED]);
    // The tunnel's line is written when the tunnel closes, just after the JVM exits: wait for it.
    const until = Date.now() + 5000;
    while (!proxy.lines().some((l) => l.tunnel?.target === `${TUNNELLED}:443`) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(proxy.lines().some((l) => l.tunnel?.target === `${TUNNELLED}:443`)).toBe(true);
  }, 120_000);

  it('the counter-example: a store with only our CA (ca export --format p12) breaks the tunnelled call', async () => {
    const onlyOurs = path.join(tmp.dir, 'only-ca.p12');
    expect((await cli(['ca', 'export', '--ca-dir', proxy.caDir, '--format', 'p12', '--out', onlyOurs])).code).toBe(0);
    const flags = `-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=${proxy.port} -Djavax.net.ssl.trustStore=${onlyOurs} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit`;
    const r = await java(classes, 'HttpsGet', [`https://${INTERCEPTED}/v2.1/track`, `https://${TUNNELLED}/health`], flags);
    expect(r.stdout).toContain(`OK https://${INTERCEPTED}/v2.1/track 200`);
    expect(r.stdout).toMatch(new RegExp(`FAIL https://${TUNNELLED}/health .*PKIX path building failed`));
  }, 120_000);
});

describe('ca truststore with a JDK trust store keytool cannot read', () => {
  const tmp = tempDir('aiproxy-truststore-bad-');
  afterAll(() => tmp.cleanup());

  it("a wrong --cacerts-password: exit 2 with keytool's reason and the flags to check, not the JVM's notices", async () => {
    const dir = path.join(tmp.dir, 'ca');
    const r = await cli(['ca', 'truststore', '--ca-dir', dir, '--out', path.join(tmp.dir, 't.p12'), '--cacerts-password', 'not-the-password']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password was incorrect');
    expect(r.stderr).toContain('--cacerts-password');
    expect(r.stderr).not.toContain('Picked up JAVA_TOOL_OPTIONS');
  }, 90_000);
});
