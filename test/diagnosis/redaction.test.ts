import type { Exchange } from '../../src/model/exchange';
import { diagnose } from '../../src/diagnosis';
import { parseConnectionString } from '../../src/ingestion/connection-string';
import {
  body,
  exchange,
  goodClaims,
  jwtString,
  managedIdentity,
  response,
  tokenEndpoint,
} from '../fixtures/exchanges';

const FULL_IKEY = '12345678-9abc-def0-1234-56789abcdef0';
const SECRET = 'Sup3r~Secret.Value_123';
const TOKEN = jwtString(goodClaims());
const CS = `InstrumentationKey=${FULL_IKEY};IngestionEndpoint=https://westus-0.in.applicationinsights.azure.com/`;

function leaks(output: unknown): string[] {
  const text = JSON.stringify(output);
  return [FULL_IKEY, FULL_IKEY.replace(/-/g, ''), SECRET, TOKEN, TOKEN.split('.')[1] ?? 'x'].filter((s) =>
    text.includes(s),
  );
}

/** Records a careless capture could produce: raw header, unmasked body, secrets in paths. */
const unredacted: [string, Exchange][] = [
  [
    'raw Authorization header and unmasked envelopes, 403',
    exchange({
      request: {
        authorization: undefined,
        headers: { authorization: `Bearer ${TOKEN}`, 'user-agent': 'x' },
        body: body(
          JSON.stringify([
            {
              name: `Microsoft.ApplicationInsights.${FULL_IKEY.replace(/-/g, '')}.Event`,
              iKey: FULL_IKEY,
              tags: {},
              data: { baseType: 'EventData' },
            },
          ]),
        ),
      },
      response: response(403, {
        body: {
          itemsReceived: 1,
          itemsAccepted: 0,
          errors: [{ index: 0, statusCode: 403, message: `denied for ${FULL_IKEY}` }],
        },
      }),
    }),
  ],
  [
    'invalid key answer quoting the key',
    exchange({
      request: {
        body: body(JSON.stringify({ name: 'x', iKey: FULL_IKEY, data: { baseType: 'EventData' } })),
      },
      response: response(400, {
        reason: `Invalid instrumentation key ${FULL_IKEY}`,
        body: `Invalid instrumentation key: ${FULL_IKEY}`,
      }),
    }),
  ],
  [
    'live ping with the key in the query',
    exchange({
      request: {
        host: 'westus.livediagnostics.monitor.azure.com',
        path: `/QuickPulseService.svc/ping?ikey=${FULL_IKEY}`,
        body: body('{}'),
      },
      response: response(401, { body: { Message: `no access for ${FULL_IKEY}` } }),
    }),
  ],
  [
    'token request with the secret in the body',
    (() => {
      const ex = tokenEndpoint(401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
        error_codes: [7000215],
      });
      return {
        ...ex,
        request: {
          ...ex.request,
          body: body(
            `client_id=abc&client_secret=${SECRET}&scope=https%3A%2F%2Fmonitor.azure.com%2F.default`,
          ),
        },
      };
    })(),
  ],
  [
    'token response echoing a token',
    tokenEndpoint(400, { error: 'invalid_request', error_description: `Bearer ${TOKEN}` }),
  ],
  [
    'managed identity request with the App Service identity header',
    (() => {
      const ex = managedIdentity(
        400,
        { statusCode: 400, message: 'No User Assigned or Delegated Managed Identity found' },
        'appservice',
      );
      return { ...ex, request: { ...ex.request, headers: { 'x-identity-header': SECRET } } };
    })(),
  ],
  [
    '307 with the key in the Location',
    exchange({
      response: response(307, {
        headers: { location: `http://evil.test/v2.1/track?ikey=${FULL_IKEY}&sig=${SECRET}` },
      }),
    }),
  ],
];

describe('no secret reaches a finding or the analysis', () => {
  it.each(unredacted)('%s', (_name, ex) => {
    const result = diagnose(ex, { connectionStrings: [parseConnectionString(CS)], expectEntra: true });
    expect(leaks(result)).toEqual([]);
  });

  it('the connection string ikey given in options is shown masked only', () => {
    const ex = exchange({
      request: {
        body: body(
          '[{"name":"x","iKey":"99999999-****-****-****-********0000","data":{"baseType":"EventData"}}]',
        ),
      },
    });
    const result = diagnose(ex, { connectionStrings: [parseConnectionString(CS)], expectEntra: false });
    expect(result.findings.map((f) => f.id)).toEqual(['IKEY_MISMATCH']);
    expect(result.findings[0]?.evidence.expectedIkeys).toEqual(['12345678-****-****-****-********def0']);
    expect(leaks(result)).toEqual([]);
  });
});
