/**
 * Issue 11 items 1–3 with real clients, through the real proxy, against the fake Entra-only
 * resource, inside one private network namespace launch: the JS exporter and the classic Node SDK
 * without a credential (item 1 and 2), @azure/identity tokens posted to /v2/track by a raw client and
 * by a real JVM (item 3, with the fake answering 400 and then 401, as different SDKs see).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { RunStepsResult } from '../../src/demo/run-steps';
import type { Step } from '../../src/demo/steps';
import { catalogEntry } from '../../src/diagnosis/catalog';
import { tempDir } from '../helpers/tmp';
import { exchangesOf, firstExchange, findingsOn, requireNetns, runStepsInNetns, stepOf } from './helpers';

const hasJdk = spawnSync('javac', ['-version'], { stdio: 'ignore' }).status === 0;
const enabled = requireNetns();
const describeNetns = enabled ? describe : describe.skip;
const TRACK = /^\/+v2(\.1)?\/track/;
const V2 = /^\/v2\/track/;
const V2_URL = 'https://westus-0.in.applicationinsights.azure.com/v2/track';
const SOURCE = path.join(__dirname, 'java', 'TrackPost.java');
const V2_401 = { v2Status: 401, v2Reason: 'Unauthorized' };

/** Severity of a finding on the first line of a step whose path matches. */
function severityOf(
  result: RunStepsResult,
  stepId: string,
  pathMatch: RegExp,
  id: string,
): string | undefined {
  const line = firstExchange(stepOf(result, stepId), pathMatch);
  return line.findings.find((f: { id: string }) => f.id === id)?.severity;
}

describeNetns('issue 11 items 1–3 with real clients through the proxy (network namespace)', () => {
  const tmp = tempDir('aiproxy-article-java-');
  let result: RunStepsResult;

  beforeAll(async () => {
    const steps: Step[] = [
      // Items 1 and 2: no credential at all; the fake refuses every item (401 with an error per item).
      {
        id: 'exporter-no-credential',
        title: 'exporter, no credential',
        action: { kind: 'exporter', credential: { type: 'none' } },
      },
      {
        id: 'legacy-no-credential',
        title: 'Node 2.x, no credential',
        action: { kind: 'legacy', credential: { type: 'none' } },
      },
      // Item 3: a real token (ClientSecretCredential against the fake Entra) posted to /v2/track.
      {
        id: 'v2-token-400',
        title: '/v2/track with a token, answered 400',
        action: { kind: 'raw-track', path: '/v2/track', credential: { type: 'client-secret' } },
      },
      {
        id: 'v2-token-401',
        title: '/v2/track with a token, answered 401',
        fake: { settings: V2_401 },
        action: { kind: 'raw-track', path: '/v2/track', credential: { type: 'client-secret' } },
      },
      {
        id: 'v2-no-token-401',
        title: '/v2/track without a token, answered 401',
        fake: { settings: V2_401 },
        action: { kind: 'raw-track', path: '/v2/track', credential: { type: 'none' } },
      },
    ];
    if (hasJdk) {
      const javac = spawnSync('javac', ['-d', tmp.dir, SOURCE], { encoding: 'utf8', timeout: 60000 });
      if (javac.status !== 0) throw new Error(`javac failed: ${javac.stderr}`);
      steps.push(
        {
          id: 'truststore',
          title: 'truststore',
          action: {
            kind: 'command',
            argv: [
              'keytool',
              '-importcert',
              '-noprompt',
              '-storetype',
              'PKCS12',
              '-alias',
              'proxy',
              '-file',
              '{proxyCa}',
              '-keystore',
              '{work}/ts.p12',
              '-storepass',
              'changeit',
            ],
          },
        },
        {
          id: 'java-v2-token',
          title: 'a JVM posting a token to /v2/track',
          fake: { settings: V2_401 },
          action: {
            kind: 'command',
            argv: [
              'java',
              '-Dhttps.proxyHost={proxyHost}',
              '-Dhttps.proxyPort={proxyPort}',
              '-Djavax.net.ssl.trustStore={work}/ts.p12',
              '-Djavax.net.ssl.trustStoreType=PKCS12',
              '-Djavax.net.ssl.trustStorePassword=changeit',
              '-cp',
              tmp.dir,
              'TrackPost',
              V2_URL,
              '{token}',
              '{ikey}',
            ],
          },
        },
      );
    }
    result = await runStepsInNetns(steps, { noStatsbeat: true, timeoutMs: 120000 });
  }, 150000);

  afterAll(() => tmp.cleanup());

  it.each(['exporter-no-credential', 'legacy-no-credential'])(
    '%s: 401 on /v2.1/track without a token → TOKEN_MISSING (error), never PARTIAL_ACCEPTANCE',
    (id) => {
      const step = stepOf(result, id);
      const tracks = exchangesOf(step, TRACK).filter((l) => l.analysis?.kind === 'track-v2.1');
      expect(tracks.length).toBeGreaterThan(0);
      const track = tracks[0]!;
      expect(track.exchange.request.authorization).toBeUndefined();
      expect(track.exchange.response.status).toBe(401);
      // The fake lists an error for every item, as the service does.
      expect(track.analysis.ingestionResponse.errors.length).toBeGreaterThan(0);
      const ids = findingsOn(step, TRACK);
      expect(ids).toContain('TOKEN_MISSING');
      expect(ids).not.toContain('PARTIAL_ACCEPTANCE');
      const finding = track.findings.find((f: { id: string }) => f.id === 'TOKEN_MISSING');
      expect(finding.severity).toBe('error');
      expect(finding.guidance.runtime).toBe('node');
      expect(finding.guidance.fix).toEqual(catalogEntry('TOKEN_MISSING').fix);
      expect(finding.guidance.runtimeFix.join('\n')).toContain('.setInternalLogging(true, true)');
    },
  );

  it.each([
    ['v2-token-400', 400],
    ['v2-token-401', 401],
  ])(
    '%s: a real token on /v2/track answered %d → TOKEN_SENT_TO_V2_PATH, not a credential finding',
    (id, status) => {
      const step = stepOf(result, id);
      const track = firstExchange(step, V2);
      expect(track.exchange.request.authorization.scheme).toBe('Bearer');
      expect(track.exchange.response.status).toBe(status);
      const ids = findingsOn(step, V2);
      expect(ids).toContain('TOKEN_SENT_TO_V2_PATH');
      expect(ids).not.toContain('ENTRA_ONLY_RESOURCE_V2_PATH');
      expect(ids).not.toContain('V2_PATH_CANNOT_CARRY_ENTRA');
      expect(severityOf(result, id, V2, 'TOKEN_SENT_TO_V2_PATH')).toBe('error');
    },
  );

  it('negative: /v2/track without a token answered 401 → ENTRA_ONLY_RESOURCE_V2_PATH', () => {
    const step = stepOf(result, 'v2-no-token-401');
    expect(firstExchange(step, V2).exchange.response.status).toBe(401);
    const ids = findingsOn(step, V2);
    expect(ids).toContain('ENTRA_ONLY_RESOURCE_V2_PATH');
    expect(ids).not.toContain('TOKEN_SENT_TO_V2_PATH');
  });

  (hasJdk ? it : it.skip)(
    'a real JVM posting a token to /v2/track (answered 401) → TOKEN_SENT_TO_V2_PATH',
    () => {
      expect(stepOf(result, 'truststore').outcome.ok).toBe(true);
      const step = stepOf(result, 'java-v2-token');
      const track = firstExchange(step, V2);
      expect(track.exchange.request.headers['user-agent']).toMatch(/^Java\//);
      expect(track.exchange.response.status).toBe(401);
      expect(findingsOn(step, V2)).toEqual(['TOKEN_SENT_TO_V2_PATH']);
      expect(track.analysis.runtime).toBe('java');
    },
  );
});
