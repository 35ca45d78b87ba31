/**
 * A real JVM through the proxy, inside a private network namespace: a small Java program
 * (test/e2e/java/TrackPost.java, compiled now with javac) POSTs gzip JSON with a Bearer token to
 * https://westus-0.in.applicationinsights.azure.com/v2.1/track using only the JVM's own proxy and
 * trust-store flags, as the Application Insights Java agent would.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { RunStepsResult } from '../../src/demo/run-steps';
import type { Step } from '../../src/demo/steps';
import { tempDir } from '../helpers/tmp';
import { firstExchange, findingsOn, requireNetns, runStepsInNetns, stepOf } from './helpers';

const hasJdk = spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;
const enabled = requireNetns() && hasJdk;
const describeJava = enabled ? describe : describe.skip;
const SOURCE = path.join(__dirname, 'java', 'TrackPost.java');
const TRACK = /\/v2\.1\/track$/;

describeJava('a real JVM (HttpURLConnection) through the proxy (network namespace)', () => {
  const tmp = tempDir('aiproxy-java-');
  let result: RunStepsResult;

  beforeAll(async () => {
    const javac = spawnSync('javac', ['-d', tmp.dir, SOURCE], { encoding: 'utf8', timeout: 60000 });
    if (javac.status !== 0) throw new Error(`javac failed: ${javac.stderr}`);
    const proxyFlags = ['-Dhttps.proxyHost={proxyHost}', '-Dhttps.proxyPort={proxyPort}'];
    const program = ['-cp', tmp.dir, 'TrackPost', '{ingestionUrl}', '{token}', '{ikey}'];
    const steps: Step[] = [
      {
        id: 'truststore',
        title: 'PKCS12 truststore with the proxy CA',
        action: {
          kind: 'command',
          argv: [
            'keytool',
            '-importcert',
            '-noprompt',
            '-storetype',
            'PKCS12',
            '-alias',
            'appinsights-auth-proxy',
            '-file',
            '{proxyCa}',
            '-keystore',
            '{work}/truststore.p12',
            '-storepass',
            'changeit',
          ],
        },
      },
      {
        id: 'trusted',
        title: 'java with the truststore',
        action: {
          kind: 'command',
          argv: [
            'java',
            ...proxyFlags,
            '-Djavax.net.ssl.trustStore={work}/truststore.p12',
            '-Djavax.net.ssl.trustStoreType=PKCS12',
            '-Djavax.net.ssl.trustStorePassword=changeit',
            ...program,
          ],
        },
      },
      {
        id: 'untrusted',
        title: 'java without the truststore',
        action: { kind: 'command', argv: ['java', ...proxyFlags, ...program] },
      },
    ];
    result = await runStepsInNetns(steps, { noStatsbeat: true, timeoutMs: 90000 });
  }, 120000);

  afterAll(() => tmp.cleanup());

  it('with the truststore: the gzip POST goes through the proxy and is analysed', () => {
    expect(stepOf(result, 'truststore').outcome.ok).toBe(true);
    const step = stepOf(result, 'trusted');
    expect(step.outcome).toMatchObject({ ok: true });
    expect(String(step.outcome.detail?.stdout)).toMatch(/status=200 usingProxy=true/);
    const track = firstExchange(step, TRACK);
    expect(track.exchange.connect.target).toBe('westus-0.in.applicationinsights.azure.com:443');
    expect(track.exchange.request.headers['user-agent']).toMatch(/^Java\//);
    expect(track.exchange.request.headers['content-encoding']).toBe('gzip');
    expect(track.exchange.request.authorization.jwt.claims.aud).toBe('https://monitor.azure.com');
    expect(track.analysis.envelopes.count).toBe(1);
    expect(track.analysis.envelopes.sdkVersions).toEqual(['java:3.7.0']);
    expect(track.exchange.response.status).toBe(200);
    expect(findingsOn(step, TRACK).filter((id) => id !== 'SDK_SELF_TELEMETRY')).toEqual([]);
  });

  it('without the truststore: PKIX failure in the JVM, CLIENT_DOES_NOT_TRUST_PROXY_CA in the log', () => {
    const step = stepOf(result, 'untrusted');
    expect(step.outcome.ok).toBe(false);
    expect(String(step.outcome.detail?.stderr)).toMatch(/PKIX path building failed/);
    expect(step.findingIds).toContain('CLIENT_DOES_NOT_TRUST_PROXY_CA');
    const line = step.lines.find((l) =>
      (l.findings ?? []).some((f: { id: string }) => f.id === 'CLIENT_DOES_NOT_TRUST_PROXY_CA'),
    );
    expect(JSON.stringify(line)).toContain('westus-0.in.applicationinsights.azure.com');
  });
});
