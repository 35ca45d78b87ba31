/**
 * Real Node SDKs (exact versions pinned in package.json) through the real proxy to the fake
 * Entra-only resource, all inside ONE private network namespace launch: the fake, the proxy and
 * the SDK app run on 127.0.0.1, with Azure names in a private hosts file. Each step's finding is
 * asserted from the proxy's own JSON log.
 */
import type { RunStepsResult } from '../../src/demo/run-steps';
import type { AppAction, CredentialSpec, Step } from '../../src/demo/steps';
import { DEFAULT_APP, DEFAULT_TENANT_ID } from '../../src/fake';
import {
  exchangesOf,
  firstExchange,
  findingsOn,
  isAlive,
  requireNetns,
  runStepsInNetns,
  stepOf,
} from './helpers';

const enabled = requireNetns();
const describeNetns = enabled ? describe : describe.skip;

const TRACK = /^\/+v2(\.1)?\/track/;
const TOKEN = /oauth2\/v2\.0\/token/;
const UNKNOWN_CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SECRET = 'e2e-Secret-Value-that-must-never-be-logged~42';
const STRANGER = {
  oid: '0badc0de-0000-4000-8000-000000000001',
  appid: '0badc0de-0000-4000-8000-000000000002',
};

const exporter = (credential: CredentialSpec): AppAction => ({ kind: 'exporter', credential });

const STEPS: Step[] = [
  // @azure/monitor-opentelemetry-exporter 1.0.0-beta.47 (always POSTs /v2.1/track, gzip for Azure hosts)
  { id: 'success', title: 'success', action: exporter({ type: 'client-secret' }) },
  { id: 'no-token', title: 'no token', action: exporter({ type: 'none' }) },
  { id: 'expired', title: 'expired', action: exporter({ type: 'minted', expiresInSeconds: -3600 }) },
  { id: 'not-yet-valid', title: 'nbf', action: exporter({ type: 'minted', notBeforeInSeconds: 3600 }) },
  {
    id: 'audience',
    title: 'wrong audience',
    action: exporter({ type: 'minted', claims: { aud: 'https://management.azure.com' } }),
  },
  { id: 'role', title: 'missing role', action: exporter({ type: 'minted', claims: STRANGER }) },
  { id: 'malformed', title: 'malformed', action: exporter({ type: 'token', token: 'not-a-jwt-at-all' }) },
  {
    id: 'throttle',
    title: '429',
    fake: { scenario: { name: 'throttle', retryAfterSeconds: 1, times: 1 } },
    action: exporter({ type: 'client-secret' }),
  },
  {
    id: 'quota',
    title: '439',
    fake: { scenario: { name: 'quota', times: 1 } },
    action: exporter({ type: 'client-secret' }),
  },
  {
    id: 'error500',
    title: '500',
    fake: { scenario: { name: 'error500', times: 1 } },
    action: exporter({ type: 'client-secret' }),
  },
  {
    id: 'error503',
    title: '503',
    fake: { scenario: { name: 'error503', retryAfterSeconds: 1, times: 1 } },
    action: exporter({ type: 'client-secret' }),
  },
  { id: 'sample', title: '206', fake: { scenario: 'sample' }, action: exporter({ type: 'client-secret' }) },
  {
    id: 'redirect',
    title: '308',
    fake: { scenario: { name: 'redirect', times: 1 } },
    action: exporter({ type: 'client-secret' }),
  },
  {
    id: 'unknown-ikey',
    title: 'unknown iKey',
    fake: { settings: { ikeys: ['99999999-8888-7777-6666-555555555555'] } },
    action: exporter({ type: 'client-secret' }),
  },
  // The exporter never uses /v2/track; older SDKs and agents did. A raw client plays them.
  {
    id: 'v2',
    title: '/v2/track',
    action: { kind: 'raw-track', path: '/v2/track', credential: { type: 'none' } },
  },
  // @azure/identity 4.13.1 ClientSecretCredential against the fake Entra
  {
    id: 'exporter-unknown-app',
    title: 'exporter + unknown client id',
    action: exporter({ type: 'client-secret', clientId: UNKNOWN_CLIENT, secret: SECRET }),
  },
  {
    id: 'identity-unknown-app',
    title: 'getToken, unknown client id',
    action: { kind: 'identity-token', clientId: UNKNOWN_CLIENT, secret: SECRET },
  },
  {
    id: 'identity-bad-secret',
    title: 'getToken, wrong secret',
    action: { kind: 'identity-token', clientId: DEFAULT_APP.clientId, secret: SECRET },
  },
  {
    id: 'identity-unknown-tenant',
    title: 'getToken, unknown tenant',
    action: {
      kind: 'identity-token',
      tenantId: 'deadbeef-0000-4000-8000-000000000000',
      clientId: DEFAULT_APP.clientId,
      secret: SECRET,
    },
  },
  // applicationinsights 2.9.8: lower-case https_proxy, absolute-form plain HTTP, NDJSON, gzip
  {
    id: 'legacy',
    title: 'legacy 2.x with AAD',
    action: { kind: 'legacy', credential: { type: 'client-secret' } },
  },
  {
    id: 'legacy-no-token',
    title: 'legacy 2.x, no token',
    action: { kind: 'legacy', credential: { type: 'none' } },
  },
];

describeNetns('real Node SDKs through the proxy to the fake Entra-only resource (network namespace)', () => {
  let result: RunStepsResult;

  beforeAll(async () => {
    // Statsbeat stays ON here, as in production: its IMDS probes find no route in the namespace.
    result = await runStepsInNetns(STEPS, { timeoutMs: 120000 });
  }, 130000);

  it('ran every step in one namespace launch, within bounds', () => {
    expect(result.results.map((r) => r.id)).toEqual(STEPS.map((s) => s.id));
    expect(result.totalMs).toBeLessThan(90000);
    expect(isAlive(result.appPid)).toBe(false);
  });

  describe('@azure/monitor-opentelemetry-exporter', () => {
    it('success: token from the fake Entra, gzip POST /v2.1/track with Bearer, 200, no problem finding', () => {
      const step = stepOf(result, 'success');
      expect(step.outcome).toMatchObject({ ok: true, detail: { persistedFiles: 0 } });
      const token = firstExchange(step, TOKEN);
      expect(token.exchange.response.status).toBe(200);
      const track = exchangesOf(step, TRACK).find((l) => l.exchange.request.headers.authorization);
      if (!track) throw new Error('no /track request with a Bearer token');
      expect(track.exchange.request.path).toBe('/v2.1/track');
      expect(track.exchange.request.host).toBe('westus-0.in.applicationinsights.azure.com');
      expect(track.exchange.request.headers['content-encoding']).toBe('gzip');
      expect(track.exchange.connect.target).toBe('westus-0.in.applicationinsights.azure.com:443');
      expect(track.exchange.request.authorization.jwt.claims.oid).toBe(DEFAULT_APP.objectId);
      expect(track.exchange.response.status).toBe(200);
      expect(track.analysis.envelopes.sdkVersions.join()).toMatch(/ext1\.0\.0-beta\.47/);
      const problems = step.lines.flatMap((l) => l.findings ?? []).filter((f: any) => f.severity !== 'info');
      expect(problems).toEqual([]);
    });

    it.each([
      ['no-token', 401, 'TOKEN_MISSING'],
      ['expired', 401, 'TOKEN_EXPIRED'],
      ['audience', 401, 'TOKEN_WRONG_AUDIENCE'],
      ['role', 403, 'ROLE_MISSING'],
    ])('%s: %d and %s on /v2.1/track (the SDK itself stays silent)', (id, status, finding) => {
      const step = stepOf(result, id);
      // The exporter reports success: it saved the batch to disk for a later retry, and logged nothing.
      expect(step.outcome).toMatchObject({ ok: true });
      expect(step.outcome.detail?.persistedFiles).toBeGreaterThan(0);
      const tracks = exchangesOf(step, TRACK);
      expect(tracks.length).toBeGreaterThan(0);
      expect(tracks[0]!.exchange.request.path).toBe('/v2.1/track');
      expect(tracks[0]!.exchange.response.status).toBe(status);
      expect(findingsOn(step, TRACK)).toContain(finding);
    });

    it('not-yet-valid and malformed tokens: 401 with a token finding', () => {
      for (const id of ['not-yet-valid', 'malformed']) {
        const step = stepOf(result, id);
        expect(firstExchange(step, TRACK).exchange.response.status).toBe(401);
        expect(findingsOn(step, TRACK).some((f) => f.startsWith('TOKEN_'))).toBe(true);
      }
      expect(findingsOn(stepOf(result, 'malformed'), TRACK)).toContain('TOKEN_MALFORMED');
    });

    it.each([
      ['throttle', 429, 'THROTTLED'],
      ['quota', 439, 'THROTTLED'],
      ['error500', 500, 'INGESTION_SERVER_ERROR'],
      ['error503', 503, 'INGESTION_SERVER_ERROR'],
    ])('%s: %d is diagnosed (%s), then the SDK retry succeeds', (id, status, finding) => {
      const step = stepOf(result, id);
      const statuses = exchangesOf(step, TRACK).map((l) => l.exchange.response?.status);
      expect(statuses[0]).toBe(status);
      expect(findingsOn(step, TRACK)).toContain(finding);
      if (status !== 439) expect(statuses).toContain(200);
    });

    it('ingestion sampling: 206 is PARTIAL_ACCEPTANCE', () => {
      const step = stepOf(result, 'sample');
      expect(firstExchange(step, TRACK).exchange.response.status).toBe(206);
      expect(findingsOn(step, TRACK)).toContain('PARTIAL_ACCEPTANCE');
    });

    it('redirect: 308 is INGESTION_REDIRECT and the exporter follows it', () => {
      const step = stepOf(result, 'redirect');
      const tracks = exchangesOf(step, TRACK);
      expect(tracks[0]!.exchange.response.status).toBe(308);
      expect(findingsOn(step, TRACK)).toContain('INGESTION_REDIRECT');
      expect(tracks.map((l) => l.exchange.request.host)).toContain(
        'westus2-1.in.applicationinsights.azure.com',
      );
    });

    it('unknown iKey: 400 is INVALID_INSTRUMENTATION_KEY', () => {
      const step = stepOf(result, 'unknown-ikey');
      expect(firstExchange(step, TRACK).exchange.response.status).toBe(400);
      expect(findingsOn(step, TRACK)).toContain('INVALID_INSTRUMENTATION_KEY');
    });
  });

  it('/v2/track (raw client: the exporter only speaks v2.1): ENTRA_ONLY_RESOURCE_V2_PATH', () => {
    const step = stepOf(result, 'v2');
    const track = firstExchange(step, TRACK);
    expect(track.exchange.request.path).toBe('/v2/track');
    expect(track.exchange.response.status).toBe(400);
    expect(findingsOn(step, TRACK)).toContain('ENTRA_ONLY_RESOURCE_V2_PATH');
  });

  describe('@azure/identity ClientSecretCredential against the fake Entra', () => {
    it('exporter with an unknown client id: AADSTS700016 is ENTRA_APP_NOT_FOUND, and no telemetry is sent', () => {
      const step = stepOf(result, 'exporter-unknown-app');
      expect(step.outcome.ok).toBe(false);
      expect(step.outcome.error).toMatch(/AADSTS700016/);
      expect(firstExchange(step, TOKEN).exchange.response.status).toBe(400);
      expect(findingsOn(step, TOKEN)).toContain('ENTRA_APP_NOT_FOUND');
      expect(exchangesOf(step, TRACK)).toEqual([]);
    });

    it.each([
      ['identity-unknown-app', 'ENTRA_APP_NOT_FOUND', /AADSTS700016/],
      ['identity-bad-secret', 'ENTRA_INVALID_CLIENT_SECRET', /AADSTS7000215/],
      ['identity-unknown-tenant', 'ENTRA_TENANT_NOT_FOUND', /AADSTS90002/],
    ])('getToken %s: %s', (id, finding, message) => {
      const step = stepOf(result, id);
      expect(step.outcome.error).toMatch(message);
      expect(findingsOn(step, TOKEN)).toContain(finding);
    });

    it('the client secret never reaches the proxy log', () => {
      const log = JSON.stringify(result.proxyLines);
      expect(log).not.toContain(SECRET);
      expect(log).not.toContain(encodeURIComponent(SECRET));
      expect(log).not.toContain(DEFAULT_APP.secret);
      // ...although the token request the proxy logged carried it (in clear, inside TLS).
      const token = firstExchange(stepOf(result, 'identity-unknown-app'), TOKEN);
      expect(token.exchange.request.path).toContain(DEFAULT_TENANT_ID);
      expect(token.exchange.request.body.text).toMatch(/client_secret=\[redacted\]/);
    });
  });

  describe('legacy applicationinsights 2.9.8', () => {
    it('absolute-form plain HTTP (no CONNECT), NDJSON, gzip, Bearer: logged and diagnosed as accepted', () => {
      const step = stepOf(result, 'legacy');
      expect(step.outcome).toMatchObject({ ok: true });
      const track = firstExchange(step, TRACK);
      expect(track.exchange.connect).toBeUndefined();
      expect(track.exchange.request.url).toBe('https://westus-0.in.applicationinsights.azure.com/v2.1/track');
      expect(track.exchange.request.headers['content-type']).toBe('application/x-json-stream');
      expect(track.exchange.request.headers['content-encoding']).toBe('gzip');
      expect(track.analysis.requestBody.shape).toBe('ndjson');
      expect(track.analysis.envelopes.sdkVersions).toEqual(['ulm_node:2.9.8']);
      expect(track.exchange.request.authorization.scheme).toBe('Bearer');
      expect(track.exchange.response.status).toBe(200);
    });

    it('without a credential: TOKEN_MISSING', () => {
      const step = stepOf(result, 'legacy-no-token');
      const track = firstExchange(step, TRACK);
      expect(track.exchange.connect).toBeUndefined();
      expect(track.exchange.response.status).toBe(401);
      expect(findingsOn(step, TRACK)).toContain('TOKEN_MISSING');
    });
  });
});
