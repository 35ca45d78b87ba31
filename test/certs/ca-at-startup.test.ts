import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCa } from '../../src/certs/ca';
import { UsageError } from '../../src/cli/usage-error';
import { httpsViaProxy } from '../helpers/proxy-client';
import { DEFAULT_TEST_OPTIONS, startTestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { runProxy } from '../../src/cli/run-proxy';
import { cli } from '../cli-ca/run-cli';
import { Writable } from 'node:stream';

const CUSTOM = 'api.contoso.test';
const CONN = 'InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=https://ingest.fabrikam.test/;LiveEndpoint=https://live.fabrikam.test/';

describe('the CA the proxy creates at start is constrained to what it intercepts', () => {
  const tmp = tempDir('aiproxy-start-ca-');
  let upstream: TestUpstream;
  let upstreamCa: string;
  beforeAll(async () => {
    upstream = await startUpstream([CUSTOM]);
    upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
  });
  afterAll(async () => {
    await upstream?.close();
    tmp.cleanup();
  });

  it('a new CA permits the defaults, the connection string hosts and --intercept hosts; a custom host is intercepted', async () => {
    const caDir = path.join(tmp.dir, 'a');
    const proxy = await startTestProxy({
      caDir,
      intercept: [`*.${CUSTOM.split('.').slice(1).join('.')}`],
      connectionString: [CONN],
      resolve: [`${CUSTOM}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
    });
    try {
      const ca = (await loadCa(caDir))!;
      expect(ca.permittedDomains).toEqual(expect.arrayContaining(['applicationinsights.azure.com', 'login.microsoftonline.com', 'ingest.fabrikam.test', 'live.fabrikam.test', 'contoso.test']));
      // Node verifies our leaf (and its chain) against the constrained CA.
      const res = await httpsViaProxy({ proxyPort: proxy.port, host: CUSTOM, path: '/x', ca: proxy.caPem });
      expect(res.status).toBe(200);
      expect(res.peerCertificate?.subject.CN).toBe(CUSTOM);
    } finally {
      await proxy.close();
    }
  });

  it('an --intercept host outside an existing CA refuses to start, saying how to recreate the CA', async () => {
    const caDir = path.join(tmp.dir, 'b');
    await (await startTestProxy({ caDir })).close();
    const attempt = startTestProxy({ caDir, intercept: [CUSTOM] });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(
      new RegExp(`cannot vouch for ${CUSTOM.replace(/\./g, '\\.')}.*appinsights-auth-proxy ca init --force --ca-dir ${caDir.replace(/[/.]/g, '\\$&')} --intercept ${CUSTOM.replace(/\./g, '\\.')}`),
    );
    // Following the advice fixes it.
    expect((await cli(['ca', 'init', '--force', '--ca-dir', caDir, '--intercept', CUSTOM])).code).toBe(0);
    const proxy = await startTestProxy({ caDir, intercept: [CUSTOM] });
    await proxy.close();
  });

  it('--ca-unconstrained creates a CA without Name Constraints', async () => {
    const caDir = path.join(tmp.dir, 'c');
    await (await startTestProxy({ caDir, caUnconstrained: true })).close();
    expect((await loadCa(caDir))!.permittedDomains).toBeUndefined();
    // An unconstrained CA never blocks a start.
    await (await startTestProxy({ caDir, intercept: ['anything.example'] })).close();
  });

  it('start writes <ca-dir>/truststore.p12 when a JDK is present (the path the startup line advertises)', async () => {
    const caDir = path.join(tmp.dir, 'd');
    let log = '';
    const running = await runProxy({
      ...DEFAULT_TEST_OPTIONS,
      caDir,
      writeTruststore: true,
      logDestination: new Writable({ write: (c, _e, cb) => ((log += String(c)), cb()) }),
    });
    await running.close();
    expect(existsSync(path.join(caDir, 'truststore.p12'))).toBe(true);
    const startup = log.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(startup.find((l) => l.truststore)?.msg).toMatch(/wrote the Java truststore .*truststore\.p12: this CA \+ \d+ default roots/);
    expect(startup.find((l) => l.javaFlags)?.javaFlags).toContain(`-Djavax.net.ssl.trustStore=${path.join(caDir, 'truststore.p12')}`);
  }, 120_000);
});
