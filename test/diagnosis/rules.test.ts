import type { Exchange } from '../../src/model/exchange';
import type { EvidenceValue, Severity } from '../../src/model/finding';
import { type DiagnosisOptions, RULES, RULE_FINDING_IDS, fixRank } from '../../src/diagnosis';
import { allowedSeverities, catalogEntry } from '../../src/diagnosis/catalog';
import type { RuleContext } from '../../src/diagnosis/rule';
import { tokenFacts } from '../../src/diagnosis/token-facts';
import { summarizeAuthorization } from '../../src/ingestion/jwt';
import { analyzeExchange } from '../../src/ingestion/analyze';
import { TRAFFIC_FINDING_IDS } from '../../src/diagnosis/traffic';
import {
  APP_IKEY,
  CONNECTION_STRING,
  NOW,
  NOW_S,
  OTHER_IKEY,
  STATSBEAT_IKEY,
  bearer,
  body,
  entraError,
  envelope,
  exchange,
  failedExchange,
  goodClaims,
  ingestionBody,
  jwtString,
  livePing,
  managedIdentity,
  response,
  tokenEndpoint,
  trackBody,
  withoutToken,
} from '../fixtures/exchanges';
import { finding, findingsOf, idsOf, options, withConnectionString } from './helpers';

interface Case {
  name: string;
  exchange: Exchange;
  options?: DiagnosisOptions;
  /** Exact finding ids out (any order). */
  ids: string[];
  /** Evidence (subset) and severity expected of one finding. */
  check?: {
    id: string;
    severity?: Severity;
    evidence?: Record<string, EvidenceValue>;
    titleIncludes?: string;
  };
}

const v2 = (status: number, o: Parameters<typeof response>[1] = {}, token = false) =>
  exchange({
    request: { path: '/v2/track', ...(token ? {} : withoutToken()) },
    response: response(status, o),
  });
const v21 = (
  status: number,
  o: Parameters<typeof response>[1] = {},
  claims?: Record<string, unknown> | null,
) =>
  exchange({
    request: claims === null ? withoutToken() : { authorization: bearer(claims ?? goodClaims()) },
    response: response(status, o),
  });
const statsbeat = (token = false) =>
  exchange({
    request: {
      ...(token ? {} : withoutToken()),
      body: trackBody(
        [
          envelope({
            iKey: STATSBEAT_IKEY,
            name: 'Statsbeat',
            baseType: 'MetricData',
            sdkVersion: 'java:3.5.0',
          }),
        ],
        'ndjson',
      ),
    },
    response: response(200, { body: ingestionBody(1, 1) }),
  });
const monitorUs = 'usgovvirginia-1.in.applicationinsights.azure.us';

const CASES: Case[] = [
  // Healthy traffic.
  { name: 'healthy 200 /v2.1/track with a good token', exchange: exchange(), ids: [] },
  {
    name: 'healthy 200 without a token (local auth still on, no --expect-entra)',
    exchange: v21(200, { body: ingestionBody(2, 2) }, null),
    ids: [],
  },

  // ENTRA_ONLY_RESOURCE_V2_PATH / V2_PATH_CANNOT_CARRY_ENTRA
  {
    name: 'v2 400 "Authentication not supported"',
    exchange: v2(400, { reason: 'Authentication not supported', body: ingestionBody(2, 0) }),
    ids: ['ENTRA_ONLY_RESOURCE_V2_PATH', 'V2_PATH_CANNOT_CARRY_ENTRA'],
    check: {
      id: 'ENTRA_ONLY_RESOURCE_V2_PATH',
      severity: 'error',
      evidence: { status: 400, reason: 'Authentication not supported', path: '/v2/track', hasToken: false },
    },
  },
  {
    name: 'v2 401',
    exchange: v2(401),
    ids: ['ENTRA_ONLY_RESOURCE_V2_PATH', 'V2_PATH_CANNOT_CARRY_ENTRA'],
    check: { id: 'ENTRA_ONLY_RESOURCE_V2_PATH', evidence: { status: 401 } },
  },
  { name: 'v2 403', exchange: v2(403), ids: ['ENTRA_ONLY_RESOURCE_V2_PATH', 'V2_PATH_CANNOT_CARRY_ENTRA'] },
  {
    name: 'v2 400 invalid ikey is not an Entra rejection',
    exchange: v2(400, {
      body: ingestionBody(2, 0, [{ index: 0, statusCode: 400, message: 'Invalid instrumentation key' }]),
    }),
    ids: ['INVALID_INSTRUMENTATION_KEY', 'V2_PATH_CANNOT_CARRY_ENTRA'],
  },
  {
    name: 'v2 400 with per-item schema errors is not an Entra rejection',
    exchange: v2(400, {
      body: ingestionBody(1, 0, [
        {
          index: 0,
          statusCode: 400,
          message: "109: Field 'time' on type 'Envelope' is required but missing or empty.",
        },
      ]),
    }),
    ids: ['PARTIAL_ACCEPTANCE', 'V2_PATH_CANNOT_CARRY_ENTRA'],
  },
  {
    name: 'v2 401 with a bearer token: wrong API, not a missing credential',
    exchange: v2(401, { reason: 'Unauthorized' }, true),
    ids: ['TOKEN_SENT_TO_V2_PATH'],
    check: { id: 'TOKEN_SENT_TO_V2_PATH', severity: 'error', evidence: { status: 401, hasToken: true } },
  },
  {
    name: 'v2 400 that names no cause, without a token: only likely',
    exchange: v2(400, { body: ingestionBody(1, 0) }),
    ids: ['ENTRA_ONLY_RESOURCE_V2_PATH', 'V2_PATH_CANNOT_CARRY_ENTRA'],
    check: { id: 'ENTRA_ONLY_RESOURCE_V2_PATH', severity: 'warning', titleIncludes: 'most likely' },
  },
  {
    name: 'v2 200 still warns that /v2 cannot carry Entra',
    exchange: v2(200, { body: ingestionBody(2, 2) }),
    ids: ['V2_PATH_CANNOT_CARRY_ENTRA'],
    check: {
      id: 'V2_PATH_CANNOT_CARRY_ENTRA',
      severity: 'warning',
      evidence: { status: 200, expectEntra: false },
    },
  },
  {
    name: 'v2 with --expect-entra warns before any answer',
    exchange: exchange({
      request: { path: '/v2/track', ...withoutToken() },
      response: null,
      error: { kind: 'UPSTREAM_TIMEOUT', message: 'timeout' },
    }),
    options: options({ expectEntra: true }),
    ids: ['UPSTREAM_TIMEOUT', 'V2_PATH_CANNOT_CARRY_ENTRA'],
    check: {
      id: 'V2_PATH_CANNOT_CARRY_ENTRA',
      evidence: { status: null, expectEntra: true },
      titleIncludes: 'will refuse',
    },
  },

  // TOKEN_MISSING
  {
    name: 'v2.1 401 without a token',
    exchange: v21(
      401,
      {
        reason: 'Unauthorized',
        body: {
          itemsReceived: 2,
          itemsAccepted: 0,
          errors: [{ index: 0, statusCode: 401, message: 'Authentication required' }],
        },
      },
      null,
    ),
    ids: ['TOKEN_MISSING'],
    check: {
      id: 'TOKEN_MISSING',
      severity: 'error',
      evidence: { status: 401, authorizationHeader: false, serviceMessage: 'Authentication required' },
    },
  },
  {
    name: '--expect-entra: v2.1 without a token, accepted anyway',
    exchange: v21(200, { body: ingestionBody(2, 2) }, null),
    options: options({ expectEntra: true }),
    ids: ['TOKEN_MISSING'],
    check: {
      id: 'TOKEN_MISSING',
      severity: 'warning',
      evidence: { expectEntra: true, status: 200 },
      titleIncludes: 'local authentication still seems enabled',
    },
  },
  {
    name: '--expect-entra: v2.1 without a token, no answer yet (upstream failed)',
    exchange: exchange({
      request: withoutToken(),
      response: null,
      error: { kind: 'UPSTREAM_REFUSED', message: 'ECONNREFUSED', code: 'ECONNREFUSED' },
    }),
    options: options({ expectEntra: true }),
    ids: ['TOKEN_MISSING', 'UPSTREAM_UNREACHABLE'],
    check: { id: 'TOKEN_MISSING', severity: 'warning', evidence: { status: null } },
  },
  {
    name: '--expect-entra: v2.1 with a token is fine',
    exchange: exchange(),
    options: options({ expectEntra: true }),
    ids: [],
  },

  // TOKEN_MALFORMED
  {
    name: 'Authorization with a non-Bearer scheme',
    exchange: exchange({
      request: { authorization: { scheme: 'Basic', fingerprint: 'abcdef012345', length: 12 } },
      response: response(401),
    }),
    ids: ['TOKEN_MALFORMED'],
    check: { id: 'TOKEN_MALFORMED', evidence: { scheme: 'Basic', status: 401, fingerprint: 'abcdef012345' } },
  },
  {
    name: 'Bearer with something that is not a JWT',
    exchange: exchange({
      request: {
        authorization: {
          scheme: 'Bearer',
          fingerprint: '0123456789ab',
          length: 20,
          malformed: 'expected 3 dot-separated parts, found 1',
        },
      },
      response: response(401),
    }),
    ids: ['TOKEN_MALFORMED'],
    check: { id: 'TOKEN_MALFORMED', evidence: { reason: 'expected 3 dot-separated parts, found 1' } },
  },
  {
    name: 'a JWT sent as the whole header, without "Bearer "',
    exchange: exchange({
      request: { authorization: summarizeAuthorization(jwtString(goodClaims())) },
      response: response(401),
    }),
    ids: ['TOKEN_MALFORMED'],
    check: {
      id: 'TOKEN_MALFORMED',
      evidence: { scheme: '', reason: 'a JWT without the "Bearer " scheme in front of it' },
    },
  },

  // TOKEN_EXPIRED
  {
    name: 'token expired an hour before, answered 401',
    exchange: v21(401, {}, goodClaims({ exp: NOW_S - 3600 })),
    ids: ['TOKEN_EXPIRED'],
    check: {
      id: 'TOKEN_EXPIRED',
      severity: 'error',
      evidence: {
        secondsExpired: 3600,
        exp: new Date((NOW_S - 3600) * 1000).toISOString(),
        requestTime: new Date(NOW).toISOString(),
        clockSkewSeconds: 300,
      },
    },
  },
  {
    name: 'expired token flagged whatever the status (200)',
    exchange: v21(200, { body: ingestionBody(2, 2) }, goodClaims({ exp: NOW_S - 3600 })),
    ids: ['TOKEN_EXPIRED'],
  },
  {
    name: 'token expired 60 s before: within the clock tolerance, a warning',
    exchange: v21(200, { body: ingestionBody(2, 2) }, goodClaims({ exp: NOW_S - 60 })),
    ids: ['TOKEN_EXPIRED'],
    check: { id: 'TOKEN_EXPIRED', severity: 'warning', evidence: { secondsExpired: 60 } },
  },
  {
    name: 'token not valid before an hour from now',
    exchange: v21(401, {}, goodClaims({ nbf: NOW_S + 3600 })),
    ids: ['TOKEN_EXPIRED'],
    check: { id: 'TOKEN_EXPIRED', evidence: { secondsEarly: 3600 } },
  },
  {
    name: 'options.now overrides the request time',
    exchange: exchange(),
    options: options({ now: NOW + 3 * 3600 * 1000 }),
    ids: ['TOKEN_EXPIRED'],
    check: { id: 'TOKEN_EXPIRED', evidence: { secondsExpired: 7200 } },
  },
  {
    name: 'nbf 2 minutes ahead is clock drift, not a finding',
    exchange: v21(200, { body: ingestionBody(2, 2) }, goodClaims({ nbf: NOW_S + 120 })),
    ids: [],
  },

  // TOKEN_WRONG_AUDIENCE
  {
    name: 'token for Azure Resource Manager',
    exchange: v21(401, {}, goodClaims({ aud: 'https://management.azure.com/' })),
    ids: ['TOKEN_WRONG_AUDIENCE'],
    check: {
      id: 'TOKEN_WRONG_AUDIENCE',
      evidence: {
        aud: 'https://management.azure.com/',
        expectedAudiences: ['https://monitor.azure.com'],
        expectedFrom: 'cloud of the host',
      },
    },
  },
  {
    name: 'public-cloud token against a US Government endpoint',
    exchange: exchange({ request: { host: monitorUs }, response: response(401) }),
    ids: ['TOKEN_WRONG_AUDIENCE'],
    check: { id: 'TOKEN_WRONG_AUDIENCE', evidence: { expectedAudiences: ['https://monitor.azure.us'] } },
  },
  {
    name: 'connection string AADAudience decides the audience',
    exchange: exchange({
      request: {
        host: 'ingest.example.test',
        authorization: bearer(goodClaims({ aud: 'https://monitor.azure.com' })),
      },
      response: response(403),
    }),
    options: withConnectionString(
      `InstrumentationKey=${APP_IKEY};IngestionEndpoint=https://ingest.example.test/;AADAudience=https://custom.audience.test/`,
    ),
    ids: ['TOKEN_WRONG_AUDIENCE'],
    check: {
      id: 'TOKEN_WRONG_AUDIENCE',
      evidence: { expectedAudiences: ['https://custom.audience.test'], expectedFrom: 'connection string' },
    },
  },
  {
    name: 'audience with a trailing slash is right',
    exchange: v21(200, { body: ingestionBody(2, 2) }, goodClaims({ aud: 'https://monitor.azure.com/' })),
    ids: [],
  },
  {
    name: 'audience array containing the right one',
    exchange: v21(
      200,
      { body: ingestionBody(2, 2) },
      goodClaims({ aud: ['api://other', 'https://monitor.azure.com'] }),
    ),
    ids: [],
  },
  {
    name: 'China token against a China endpoint',
    exchange: exchange({
      request: {
        host: 'chinanorth3-0.in.applicationinsights.azure.cn',
        authorization: bearer(goodClaims({ aud: 'https://monitor.azure.cn/' })),
      },
    }),
    ids: [],
  },
  {
    name: 'unknown host (test double) accepts any Azure Monitor audience',
    exchange: exchange({
      request: {
        host: 'ingest.test',
        authorization: bearer(goodClaims({ aud: 'https://monitor.azure.us' })),
      },
    }),
    ids: [],
  },

  // TOKEN_REJECTED / ROLE_MISSING
  {
    name: '401 with a good token',
    exchange: v21(401, { reason: 'Unauthorized' }),
    ids: ['TOKEN_REJECTED'],
    check: {
      id: 'TOKEN_REJECTED',
      evidence: {
        status: 401,
        tid: '72f988bf-0000-0000-0000-000000000000',
        alg: 'RS256',
        aud: 'https://monitor.azure.com',
      },
    },
  },
  {
    // TOKEN_EXPIRED (warning) says "expired 120 s before" on the same line: no "current" here.
    name: '401 with a token expired 2 minutes before (within the clock tolerance)',
    exchange: v21(401, {}, goodClaims({ exp: NOW_S - 120 })),
    ids: ['TOKEN_EXPIRED', 'TOKEN_REJECTED'],
    check: { id: 'TOKEN_REJECTED', titleIncludes: 'expired less than the clock tolerance before' },
  },
  {
    name: '403 with a token expired 2 minutes before is not called valid',
    exchange: v21(403, {}, goodClaims({ exp: NOW_S - 120 })),
    ids: ['ROLE_MISSING', 'TOKEN_EXPIRED'],
    check: { id: 'ROLE_MISSING', titleIncludes: '403 with a right-audience token (expired less than' },
  },
  {
    // Finite claims beyond the calendar (new Date(1e23) is invalid): the finding must not be lost.
    name: '401 with a token whose exp is 1e20 still gets TOKEN_REJECTED',
    exchange: v21(401, {}, goodClaims({ exp: 1e20 })),
    ids: ['TOKEN_REJECTED'],
    check: { id: 'TOKEN_REJECTED', evidence: { exp: null } },
  },
  {
    name: 'a token whose nbf is 1e20 is not yet valid',
    exchange: v21(401, {}, goodClaims({ nbf: 1e20 })),
    ids: ['TOKEN_EXPIRED'],
    check: { id: 'TOKEN_EXPIRED', evidence: { nbf: null } },
  },
  {
    name: 'a token whose exp is -1e20 is expired',
    exchange: v21(401, {}, goodClaims({ exp: -1e20 })),
    ids: ['TOKEN_EXPIRED'],
    check: { id: 'TOKEN_EXPIRED', evidence: { exp: null } },
  },
  {
    name: '403 with a good token',
    exchange: v21(403, {
      reason: 'Forbidden',
      body: {
        itemsReceived: 2,
        itemsAccepted: 0,
        errors: [{ index: 0, statusCode: 403, message: 'Forbidden' }],
      },
    }),
    ids: ['ROLE_MISSING'],
    check: {
      id: 'ROLE_MISSING',
      severity: 'error',
      evidence: {
        status: 403,
        tid: '72f988bf-0000-0000-0000-000000000000',
        oid: 'ffffffff-1111-2222-3333-444444444444',
        appid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        idtyp: 'app',
      },
    },
  },
  {
    name: '403 with azp instead of appid (v2 token)',
    exchange: v21(403, {}, goodClaims({ appid: undefined, azp: 'bbbbbbbb-0000-0000-0000-000000000000' })),
    ids: ['ROLE_MISSING'],
    check: { id: 'ROLE_MISSING', evidence: { appid: 'bbbbbbbb-0000-0000-0000-000000000000' } },
  },
  {
    name: '403 with a wrong-audience token blames the audience, not the role',
    exchange: v21(403, {}, goodClaims({ aud: 'https://storage.azure.com' })),
    ids: ['TOKEN_WRONG_AUDIENCE'],
  },
  {
    name: '401 with an expired token blames expiry, not rejection',
    exchange: v21(401, {}, goodClaims({ exp: NOW_S - 7200 })),
    ids: ['TOKEN_EXPIRED'],
  },

  // IKEY_MISMATCH
  {
    name: 'envelopes for another resource',
    exchange: exchange({ request: { body: trackBody([envelope({ iKey: OTHER_IKEY })]) } }),
    options: withConnectionString(CONNECTION_STRING),
    ids: ['IKEY_MISMATCH'],
    check: {
      id: 'IKEY_MISMATCH',
      severity: 'warning',
      evidence: {
        requestIkeys: ['99999999-****-****-****-********0000'],
        expectedIkeys: ['11111111-****-****-****-********5555'],
      },
    },
  },
  {
    name: 'envelopes for the connection string resource',
    exchange: exchange(),
    options: withConnectionString(CONNECTION_STRING),
    ids: [],
  },
  {
    name: 'no connection string given: no iKey comparison',
    exchange: exchange({ request: { body: trackBody([envelope({ iKey: OTHER_IKEY })]) } }),
    ids: [],
  },
  {
    name: 'statsbeat envelope in an app batch is not a mismatch',
    exchange: exchange({
      request: {
        body: trackBody([
          envelope(),
          envelope({ iKey: STATSBEAT_IKEY, name: 'Microsoft.ApplicationInsights.Statsbeat' }),
        ]),
      },
    }),
    options: withConnectionString(CONNECTION_STRING),
    ids: [],
  },
  {
    name: 'live metrics ikey query parameter for another resource',
    exchange: livePing(200, { ikey: '99999999-****-****-****-********0000' }),
    options: withConnectionString(CONNECTION_STRING),
    ids: ['IKEY_MISMATCH'],
    check: { id: 'IKEY_MISMATCH', evidence: { requestIkeys: ['99999999-****-****-****-********0000'] } },
  },

  // INVALID_INSTRUMENTATION_KEY
  {
    name: '400 Invalid instrumentation key',
    exchange: v21(400, {
      body: ingestionBody(1, 0, [{ index: 0, statusCode: 400, message: 'Invalid instrumentation key' }]),
    }),
    ids: ['INVALID_INSTRUMENTATION_KEY'],
    check: {
      id: 'INVALID_INSTRUMENTATION_KEY',
      evidence: {
        status: 400,
        serviceMessage: 'Invalid instrumentation key',
        iKeys: ['11111111-****-****-****-********5555'],
      },
    },
  },

  // PARTIAL_ACCEPTANCE
  {
    name: '206 with a schema error',
    exchange: v21(206, {
      body: ingestionBody(2, 1, [
        {
          index: 0,
          statusCode: 400,
          message: "109: Field 'startTime' on type 'RequestData' is required but missing or empty.",
        },
      ]),
    }),
    ids: ['PARTIAL_ACCEPTANCE'],
    check: {
      id: 'PARTIAL_ACCEPTANCE',
      severity: 'warning',
      evidence: { itemsReceived: 2, itemsAccepted: 1, rejected: 1, sampledOut: 0, retriable: 0 },
    },
  },
  {
    name: '206 where everything missing was sampled out is info',
    exchange: v21(206, {
      reason: 'Telemetry sampled out.',
      body: ingestionBody(2, 1, [{ index: 1, statusCode: 206, message: 'Telemetry sampled out.' }]),
    }),
    ids: ['PARTIAL_ACCEPTANCE'],
    check: { id: 'PARTIAL_ACCEPTANCE', severity: 'info', evidence: { sampledOut: 1 } },
  },
  {
    name: '200 with itemsAccepted below itemsReceived',
    exchange: v21(200, {
      body: ingestionBody(3, 1, [
        { index: 1, statusCode: 429, message: 'Throttled' },
        { index: 2, statusCode: 500, message: 'oops' },
      ]),
    }),
    ids: ['PARTIAL_ACCEPTANCE'],
    check: { id: 'PARTIAL_ACCEPTANCE', evidence: { retriable: 2, rejected: 0 } },
  },
  {
    name: '206 whose items failed with 502 and 504 counts them retriable, as the SDKs do',
    exchange: v21(206, {
      body: ingestionBody(3, 1, [
        { index: 1, statusCode: 502, message: 'Bad Gateway' },
        { index: 2, statusCode: 504, message: 'Gateway Timeout' },
      ]),
    }),
    ids: ['PARTIAL_ACCEPTANCE'],
    check: { id: 'PARTIAL_ACCEPTANCE', evidence: { retriable: 2, rejected: 0 } },
  },
  {
    // "token" and "auth" inside other words are not an authentication refusal.
    name: 'no token, 400 whose per-item errors say "Unexpected token" and name authUserId',
    exchange: v21(
      400,
      {
        body: ingestionBody(2, 0, [
          { index: 0, statusCode: 400, message: 'Unexpected token < in JSON at position 0' },
          { index: 1, statusCode: 400, message: "Field 'ai.user.authUserId' on type 'Envelope' is too long" },
        ]),
      },
      null,
    ),
    ids: ['PARTIAL_ACCEPTANCE'],
    check: { id: 'PARTIAL_ACCEPTANCE', evidence: { rejected: 2, itemsAccepted: 0 } },
  },
  {
    // "a 400 that names no cause is only likely": one that names another cause is not the refusal.
    name: 'no token, 400 whose answer names another cause for the whole batch ("Invalid JSON")',
    exchange: v21(400, { body: ingestionBody(1, 0, [{ statusCode: 400, message: 'Invalid JSON' }]) }, null),
    ids: [],
  },
  {
    // ...while the words of a refusal still count, as whole words.
    name: 'no token, 400 whose items say "Invalid token" is the missing token',
    exchange: v21(
      400,
      { body: ingestionBody(1, 0, [{ index: 0, statusCode: 400, message: 'Invalid token' }]) },
      null,
    ),
    ids: ['TOKEN_MISSING'],
    check: { id: 'TOKEN_MISSING', severity: 'error' },
  },
  {
    name: 'no token, 400 "Local auth is disabled" is the missing token',
    exchange: v21(400, { reason: 'Local auth is disabled' }, null),
    ids: ['TOKEN_MISSING'],
    check: { id: 'TOKEN_MISSING', severity: 'error' },
  },

  // THROTTLED
  {
    name: '429 with Retry-After',
    exchange: v21(429, { headers: { 'Retry-After': '30' } }),
    ids: ['THROTTLED'],
    check: {
      id: 'THROTTLED',
      severity: 'warning',
      evidence: { status: 429, retryAfter: '30', dailyQuota: false },
    },
  },
  {
    name: '439 daily quota',
    exchange: v21(439),
    ids: ['THROTTLED'],
    check: { id: 'THROTTLED', evidence: { dailyQuota: true } },
  },
  { name: '402 daily quota', exchange: v21(402), ids: ['THROTTLED'] },

  // INGESTION_REDIRECT
  {
    name: '308 to a regional Azure host',
    exchange: v21(308, {
      headers: { location: 'https://westus2-1.in.applicationinsights.azure.com/v2.1/track' },
    }),
    ids: ['INGESTION_REDIRECT'],
    check: {
      id: 'INGESTION_REDIRECT',
      severity: 'info',
      evidence: { location: 'https://westus2-1.in.applicationinsights.azure.com/v2.1/track', refusal: null },
    },
  },
  {
    name: '307 to plain http localhost',
    exchange: v21(307, { headers: { location: 'http://localhost:8080/v2.1/track' } }),
    ids: ['INGESTION_REDIRECT'],
    check: {
      id: 'INGESTION_REDIRECT',
      severity: 'warning',
      evidence: { refusal: 'Location uses http, not https' },
    },
  },
  {
    name: '307 without a Location',
    exchange: v21(307),
    ids: ['INGESTION_REDIRECT'],
    check: { id: 'INGESTION_REDIRECT', severity: 'warning', evidence: { location: null } },
  },

  // INGESTION_SERVER_ERROR
  {
    name: '503 from the service',
    exchange: v21(503, { reason: 'Service Unavailable' }),
    ids: ['INGESTION_SERVER_ERROR'],
    check: {
      id: 'INGESTION_SERVER_ERROR',
      severity: 'warning',
      evidence: { status: 503, reason: 'Service Unavailable' },
    },
  },
  { name: '500 from the service', exchange: v21(500), ids: ['INGESTION_SERVER_ERROR'] },

  // LIVE_METRICS_UNAUTHORIZED
  {
    name: 'live ping 401 without a token',
    exchange: livePing(401, { token: false }),
    ids: ['LIVE_METRICS_UNAUTHORIZED'],
    check: {
      id: 'LIVE_METRICS_UNAUTHORIZED',
      severity: 'error',
      evidence: {
        status: 401,
        hasToken: false,
        serviceMessage: 'The Agent/SDK does not have permissions to send telemetry to this resource.',
      },
    },
  },
  {
    name: 'live ping 403 with a token',
    exchange: livePing(403),
    ids: ['LIVE_METRICS_UNAUTHORIZED'],
    check: {
      id: 'LIVE_METRICS_UNAUTHORIZED',
      evidence: { hasToken: true, oid: 'ffffffff-1111-2222-3333-444444444444' },
    },
  },
  { name: 'live ping 200', exchange: livePing(200), ids: [] },
  {
    name: 'live ping without a token is not TOKEN_MISSING',
    exchange: livePing(200, { token: false }),
    options: options({ expectEntra: true }),
    ids: [],
  },

  // Entra token endpoint
  {
    name: 'AADSTS700016 app not found',
    exchange: tokenEndpoint(
      400,
      entraError(
        700016,
        'unauthorized_client',
        "Application with identifier 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' was not found in the directory '72f988bf-0000-0000-0000-000000000000'.",
      ),
    ),
    ids: ['ENTRA_APP_NOT_FOUND'],
    check: {
      id: 'ENTRA_APP_NOT_FOUND',
      severity: 'error',
      evidence: {
        status: 400,
        aadsts: 'AADSTS700016',
        error: 'unauthorized_client',
        errorCodes: ['700016'],
        tenant: '72f988bf-0000-0000-0000-000000000000',
        client_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        scope: 'https://monitor.azure.com/.default',
        traceId: '0a1b2c3d-0000-0000-0000-000000000001',
        correlationId: '0a1b2c3d-0000-0000-0000-000000000002',
      },
    },
  },
  {
    name: 'AADSTS7000215 invalid secret',
    exchange: tokenEndpoint(401, entraError(7000215, 'invalid_client', 'Invalid client secret provided.')),
    ids: ['ENTRA_INVALID_CLIENT_SECRET'],
    check: { id: 'ENTRA_INVALID_CLIENT_SECRET', evidence: { status: 401, aadsts: 'AADSTS7000215' } },
  },
  {
    name: 'AADSTS7000222 expired secret',
    exchange: tokenEndpoint(
      401,
      entraError(7000222, 'invalid_client', "The provided client secret keys for app 'x' are expired."),
    ),
    ids: ['ENTRA_CLIENT_SECRET_EXPIRED'],
    check: { id: 'ENTRA_CLIENT_SECRET_EXPIRED', evidence: { aadsts: 'AADSTS7000222' } },
  },
  {
    name: 'AADSTS90002 on the OpenID configuration',
    exchange: tokenEndpoint(
      400,
      entraError(90002, 'invalid_tenant', "Tenant 'contoso.test' not found."),
      '/contoso.test/v2.0/.well-known/openid-configuration',
    ),
    ids: ['ENTRA_TENANT_NOT_FOUND'],
    check: { id: 'ENTRA_TENANT_NOT_FOUND', evidence: { tenant: 'contoso.test', error: 'invalid_tenant' } },
  },
  {
    name: 'AADSTS1002012 scope without /.default',
    exchange: tokenEndpoint(
      400,
      entraError(1002012, 'invalid_scope', 'The provided value for scope x is not valid.'),
    ),
    ids: ['ENTRA_INVALID_SCOPE'],
  },
  {
    name: 'AADSTS500011 resource not found',
    exchange: tokenEndpoint(
      400,
      entraError(
        500011,
        'invalid_resource',
        'The resource principal named https://monitor.azure.com was not found.',
      ),
    ),
    ids: ['ENTRA_INVALID_SCOPE'],
    check: { id: 'ENTRA_INVALID_SCOPE', evidence: { aadsts: 'AADSTS500011' } },
  },
  {
    name: 'other AADSTS code',
    exchange: tokenEndpoint(400, entraError(50126, 'invalid_grant', 'Error validating credentials.')),
    ids: ['ENTRA_TOKEN_ERROR'],
    check: { id: 'ENTRA_TOKEN_ERROR', evidence: { aadsts: 'AADSTS50126' } },
  },
  {
    name: 'token endpoint 503 with a non-JSON body',
    exchange: tokenEndpoint(503, 'Service Unavailable'),
    ids: ['ENTRA_TOKEN_ERROR'],
    check: { id: 'ENTRA_TOKEN_ERROR', evidence: { status: 503, aadsts: null } },
  },
  {
    name: 'token endpoint 200',
    exchange: tokenEndpoint(200, { token_type: 'Bearer', expires_in: 3599, access_token: '[redacted]' }),
    ids: [],
  },
  {
    name: 'instance discovery 200',
    exchange: tokenEndpoint(
      200,
      { tenant_discovery_endpoint: 'x' },
      '/common/discovery/instance?api-version=1.1',
    ),
    ids: [],
  },

  // Managed identity
  {
    name: 'IMDS 400 Identity not found',
    exchange: managedIdentity(400, { error: 'invalid_request', error_description: 'Identity not found' }),
    ids: ['MANAGED_IDENTITY_NOT_FOUND'],
    check: {
      id: 'MANAGED_IDENTITY_NOT_FOUND',
      evidence: {
        status: 400,
        client_id: '12345678-aaaa-bbbb-cccc-1234567890ab',
        resource: 'https://monitor.azure.com/',
        serviceMessage: 'Identity not found',
      },
    },
  },
  {
    name: 'App Service 400 no user-assigned identity',
    exchange: managedIdentity(
      400,
      {
        statusCode: 400,
        message:
          'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
      },
      'appservice',
    ),
    ids: ['MANAGED_IDENTITY_NOT_FOUND'],
  },
  {
    name: 'IMDS 429',
    exchange: managedIdentity(429, { error: 'too_many_requests', error_description: 'Too many requests' }),
    ids: ['MANAGED_IDENTITY_ERROR'],
    check: { id: 'MANAGED_IDENTITY_ERROR', evidence: { status: 429 } },
  },
  {
    // A gateway's or a wrong path's "Not Found" says nothing about the identity.
    name: 'App Service 404 "Not Found" page is an error, not an unknown identity',
    exchange: managedIdentity(404, 'Not Found', 'appservice'),
    ids: ['MANAGED_IDENTITY_ERROR'],
  },
  {
    name: 'IMDS 200',
    exchange: managedIdentity(200, { access_token: '[redacted]', token_type: 'Bearer' }),
    ids: [],
  },

  // Client TLS
  {
    name: 'client rejected the certificate with "unknown ca"',
    exchange: failedExchange('CLIENT_TLS_REJECTED', { alert: 'unknown ca' }),
    options: options({ caCertPath: '/certs/ca.pem' }),
    ids: ['CLIENT_DOES_NOT_TRUST_PROXY_CA'],
    check: {
      id: 'CLIENT_DOES_NOT_TRUST_PROXY_CA',
      severity: 'error',
      evidence: {
        alert: 'unknown ca',
        caCertPath: '/certs/ca.pem',
        host: 'westus-0.in.applicationinsights.azure.com:443',
      },
    },
  },
  {
    name: 'client closed during the handshake: likely',
    exchange: failedExchange('CLIENT_TLS_FAILED'),
    ids: ['CLIENT_DOES_NOT_TRUST_PROXY_CA'],
    check: {
      id: 'CLIENT_DOES_NOT_TRUST_PROXY_CA',
      severity: 'warning',
      evidence: { alert: null, caCertPath: null },
      titleIncludes: 'likely',
    },
  },
  {
    name: 'client hello with nothing in common (ALPN h2 only): not a CA problem',
    exchange: failedExchange('CLIENT_TLS_FAILED', { code: 'ERR_SSL_NO_APPLICATION_PROTOCOL' }),
    ids: ['CLIENT_TLS_INCOMPATIBLE'],
    check: {
      id: 'CLIENT_TLS_INCOMPATIBLE',
      severity: 'error',
      evidence: { code: 'ERR_SSL_NO_APPLICATION_PROTOCOL' },
      titleIncludes: 'not a CA problem',
    },
  },
  {
    name: 'client aborted',
    exchange: failedExchange('CLIENT_ABORTED'),
    ids: ['CLIENT_ABORTED'],
    check: { id: 'CLIENT_ABORTED', severity: 'info', evidence: { errorKind: 'CLIENT_ABORTED' } },
  },

  // Upstream
  {
    name: 'upstream refused',
    exchange: failedExchange('UPSTREAM_REFUSED', { code: 'ECONNREFUSED' }),
    ids: ['UPSTREAM_UNREACHABLE'],
    check: { id: 'UPSTREAM_UNREACHABLE', evidence: { errorKind: 'UPSTREAM_REFUSED', code: 'ECONNREFUSED' } },
  },
  {
    name: 'upstream DNS',
    exchange: failedExchange('UPSTREAM_DNS_FAILED', { code: 'ENOTFOUND' }),
    ids: ['UPSTREAM_UNREACHABLE'],
  },
  { name: 'upstream reset', exchange: failedExchange('UPSTREAM_RESET'), ids: ['UPSTREAM_UNREACHABLE'] },
  {
    name: 'upstream proxy',
    exchange: failedExchange('UPSTREAM_PROXY_FAILED'),
    ids: ['UPSTREAM_UNREACHABLE'],
  },
  { name: 'upstream failed', exchange: failedExchange('UPSTREAM_FAILED'), ids: ['UPSTREAM_UNREACHABLE'] },
  {
    name: "an upstream answer Node's parser refuses is not a failed connection",
    exchange: failedExchange('UPSTREAM_FAILED', {
      code: 'HPE_HEADER_OVERFLOW',
      message: 'Parse Error: Header overflow',
    }),
    ids: ['UPSTREAM_UNREACHABLE'],
    check: {
      id: 'UPSTREAM_UNREACHABLE',
      titleIncludes: 'its answer could not be read as HTTP/1.1 (HPE_HEADER_OVERFLOW)',
    },
  },
  {
    name: 'upstream TLS',
    exchange: failedExchange('UPSTREAM_TLS_FAILED', { code: 'CERT_HAS_EXPIRED' }),
    ids: ['UPSTREAM_TLS_FAILED'],
    check: { id: 'UPSTREAM_TLS_FAILED', severity: 'error', evidence: { code: 'CERT_HAS_EXPIRED' } },
  },
  {
    name: 'upstream timeout',
    exchange: failedExchange('UPSTREAM_TIMEOUT'),
    ids: ['UPSTREAM_TIMEOUT'],
    check: {
      id: 'UPSTREAM_TIMEOUT',
      evidence: { host: 'westus-0.in.applicationinsights.azure.com', port: 443 },
    },
  },

  // SDK_SELF_TELEMETRY
  {
    name: 'unauthenticated statsbeat batch',
    exchange: statsbeat(),
    ids: ['SDK_SELF_TELEMETRY'],
    check: {
      id: 'SDK_SELF_TELEMETRY',
      severity: 'info',
      evidence: { hasToken: false, envelopes: 1, iKeys: ['c4a29126-****-****-****-********b11e'] },
    },
  },
  {
    name: 'unauthenticated statsbeat with --expect-entra',
    exchange: statsbeat(),
    options: options({ expectEntra: true }),
    ids: ['SDK_SELF_TELEMETRY'],
  },
  {
    name: 'statsbeat recognised by envelope name',
    exchange: exchange({
      request: {
        ...withoutToken(),
        body: trackBody([envelope({ iKey: OTHER_IKEY, name: 'Microsoft.ApplicationInsights.Statsbeat' })]),
      },
    }),
    options: withConnectionString(CONNECTION_STRING),
    ids: ['SDK_SELF_TELEMETRY'],
  },
  {
    name: "a statsbeat envelope among app envelopes: the batch is the app's",
    exchange: exchange({
      request: {
        ...withoutToken(),
        body: trackBody([envelope(), envelope({ iKey: STATSBEAT_IKEY, name: 'Statsbeat' })]),
      },
      response: response(401),
    }),
    ids: ['TOKEN_MISSING'],
  },
  {
    name: 'CONNECT without error is nothing',
    exchange: exchange({
      request: { method: 'CONNECT', path: 'x:443', body: body(undefined) },
      response: response(200),
    }),
    ids: [],
  },
];

describe('diagnosis rules', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const findings = findingsOf(c.exchange, c.options);
    expect(idsOf(findings)).toEqual([...c.ids].sort());
    if (c.check) {
      const f = finding(findings, c.check.id);
      if (c.check.severity) expect(f.severity).toBe(c.check.severity);
      if (c.check.evidence) expect(f.evidence).toMatchObject(c.check.evidence);
      if (c.check.titleIncludes) expect(f.title).toContain(c.check.titleIncludes);
      expect(f.guidance.fix.length).toBeGreaterThan(0);
    }
  });

  it('lists the findings of every case in the catalog fix order', () => {
    for (const c of CASES) {
      const ranks = findingsOf(c.exchange, c.options).map((f) => fixRank(f.id));
      expect({ name: c.name, ranks }).toEqual({ name: c.name, ranks: [...ranks].sort((a, b) => a - b) });
    }
    const mixed = findingsOf(
      exchange({
        request: { path: '/v2/track', ...withoutToken() },
        response: null,
        error: { kind: 'UPSTREAM_TIMEOUT', message: 't' },
      }),
      options({ expectEntra: true }),
    );
    expect(mixed.map((f) => f.id)).toEqual(['UPSTREAM_TIMEOUT', 'V2_PATH_CANNOT_CARRY_ENTRA']);
  });

  it('every severity a rule gives is declared by its catalog entry (no silent fallback hides one)', () => {
    for (const c of CASES) {
      const opts = c.options ?? options();
      const now = opts.now ?? c.exchange.timings.start;
      const ctx: RuleContext = {
        exchange: c.exchange,
        analysis: analyzeExchange(c.exchange),
        options: opts,
        now,
        status: c.exchange.response?.status,
        token: tokenFacts(c.exchange, opts.connectionStrings, now),
      };
      for (const rule of RULES) {
        for (const result of rule.evaluate(ctx)) {
          const allowed = allowedSeverities(catalogEntry(result.id));
          const severity = result.severity ?? catalogEntry(result.id).severity;
          expect({ case: c.name, id: result.id, declared: allowed.includes(severity) }).toEqual({
            case: c.name,
            id: result.id,
            declared: true,
          });
        }
      }
    }
  });

  it('has a positive and a negative case for every finding id', () => {
    // Findings across exchanges have their own cases (test/traffic).
    for (const id of RULE_FINDING_IDS.filter((i) => !TRAFFIC_FINDING_IDS.includes(i))) {
      expect({ id, positive: CASES.some((c) => c.ids.includes(id)) }).toEqual({ id, positive: true });
      expect({ id, negative: CASES.some((c) => !c.ids.includes(id)) }).toEqual({ id, negative: true });
    }
  });
});
