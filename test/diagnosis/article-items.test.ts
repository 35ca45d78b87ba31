/**
 * Issue 11: the guidance says what the troubleshooting article (shared/seed) says. One table per
 * item, positive and negative cases, through the rules (fixtures); items 1–3 also run through the
 * proxy with real clients (test/proxy/article-items-e2e.test.ts, test/e2e/article-items.test.ts).
 */
import type { Exchange } from '../../src/model/exchange';
import type { Severity } from '../../src/model/finding';
import { diagnose, type DiagnosisOptions } from '../../src/diagnosis';
import { catalogEntry } from '../../src/diagnosis/catalog';
import {
  SENDERS,
  STATSBEAT_IKEY,
  allItemsRefused,
  bearer,
  exchange,
  fromSender,
  goodClaims,
  envelope,
  ingestionBody,
  livePing,
  managedIdentity,
  response,
  tokenEndpoint,
  trackBody,
  withoutToken,
} from '../fixtures/exchanges';
import { NO_OPTIONS, finding, idsOf, options } from './helpers';

interface Row {
  name: string;
  exchange: Exchange;
  options?: DiagnosisOptions;
  /** Exact finding ids out. */
  ids: string[];
  /** Severity of one of them. */
  severity?: [string, Severity];
}

function check(row: Row) {
  const { findings } = diagnose(row.exchange, row.options ?? NO_OPTIONS);
  expect(idsOf(findings)).toEqual([...row.ids].sort());
  if (row.severity) expect(finding(findings, row.severity[0]).severity).toBe(row.severity[1]);
  return findings;
}

const python = SENDERS.find((s) => s.name === 'Python exporter')!;
const v21NoToken = (status: number, body?: string, reason = '') =>
  exchange({ request: fromSender(python, withoutToken()), response: response(status, { reason, body }) });
const v2 = (status: number, o: { token?: boolean; reason?: string; body?: string } = {}) =>
  exchange({
    request: { path: '/v2/track', ...(o.token ? { authorization: bearer() } : withoutToken()) },
    response: response(status, { reason: o.reason ?? '', body: o.body }),
  });

describe('item 1: /v2.1/track refused (400 or 401) without an Authorization header → TOKEN_MISSING', () => {
  const rows: Row[] = [
    {
      name: "Python exporter, 400 that names no cause and judges no item (the article's Python case): likely",
      exchange: v21NoToken(400, ingestionBody(2, 0)),
      ids: ['TOKEN_MISSING'],
      severity: ['TOKEN_MISSING', 'warning'],
    },
    {
      name: 'Python exporter, 400 "Authentication not supported" with an error per item',
      exchange: v21NoToken(
        400,
        allItemsRefused(2, 400, 'Authentication not supported'),
        'Authentication not supported',
      ),
      ids: ['TOKEN_MISSING'],
      severity: ['TOKEN_MISSING', 'error'],
    },
    {
      name: 'Python exporter, 401',
      exchange: v21NoToken(401, allItemsRefused(2, 401, 'Authentication required'), 'Unauthorized'),
      ids: ['TOKEN_MISSING'],
      severity: ['TOKEN_MISSING', 'error'],
    },
    {
      name: 'negative: 400 for schema errors on a resource that accepts local authentication',
      exchange: v21NoToken(
        400,
        ingestionBody(2, 1, [
          {
            index: 1,
            statusCode: 400,
            message: "109: Field 'time' on type 'Envelope' is required but missing or empty.",
          },
        ]),
      ),
      ids: ['PARTIAL_ACCEPTANCE'],
    },
    {
      name: 'negative: 400 "Invalid instrumentation key"',
      exchange: v21NoToken(400, allItemsRefused(2, 400, 'Invalid instrumentation key')),
      ids: ['INVALID_INSTRUMENTATION_KEY'],
    },
    {
      name: 'negative: 200 without a token (local authentication on)',
      exchange: v21NoToken(200, ingestionBody(2, 2)),
      ids: [],
    },
    {
      name: 'negative: 400 with a token is not TOKEN_MISSING',
      exchange: exchange({ response: response(400, { body: ingestionBody(2, 0) }) }),
      ids: [],
    },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    check(row);
  });

  it('carries the Python steps for a Python sender, and every runtime when the sender is unknown', () => {
    const py = finding(diagnose(v21NoToken(400, ingestionBody(2, 0)), NO_OPTIONS).findings, 'TOKEN_MISSING');
    expect(py.guidance.runtime).toBe('python');
    expect(py.guidance.runtimeFix).toEqual(catalogEntry('TOKEN_MISSING').fixByRuntime!.python);
    expect(py.guidance.runtimeFix!.join('\n')).toContain('`credential=None`');

    const unknown = SENDERS.find((s) => s.name === 'unknown sender')!;
    const ex = exchange({ request: fromSender(unknown, withoutToken()), response: response(401) });
    const f = finding(diagnose(ex, NO_OPTIONS).findings, 'TOKEN_MISSING');
    expect(f.guidance.runtime).toBeUndefined();
    const steps = f.guidance.runtimeFix!;
    for (const [label, runtime] of [
      ['Java', 'java'],
      ['Node.js', 'node'],
      ['Python', 'python'],
      ['.NET', 'dotnet'],
    ] as const) {
      const expected = catalogEntry('TOKEN_MISSING').fixByRuntime![runtime]!.map((s) => `${label}: ${s}`);
      expect(steps).toEqual(expect.arrayContaining(expected));
    }
  });
});

describe('item 2: no PARTIAL_ACCEPTANCE on a request refused as a whole for authentication', () => {
  const rows: Row[] = [
    {
      name: '/v2.1 400 "Authentication not supported" with an error for every item',
      exchange: v21NoToken(
        400,
        allItemsRefused(3, 400, 'Authentication not supported'),
        'Authentication not supported',
      ),
      ids: ['TOKEN_MISSING'],
    },
    {
      name: '/v2.1 401 whose body lists per-item errors',
      exchange: v21NoToken(401, allItemsRefused(3, 401, 'Authentication required')),
      ids: ['TOKEN_MISSING'],
    },
    {
      name: '/v2.1 403 with a good token whose body lists per-item errors',
      exchange: exchange({ response: response(403, { body: allItemsRefused(3, 403, 'Forbidden') }) }),
      ids: ['ROLE_MISSING'],
    },
    {
      name: '/v2 400 "Authentication not supported" with per-item errors',
      exchange: v2(400, {
        reason: 'Authentication not supported',
        body: allItemsRefused(2, 400, 'Authentication not supported'),
      }),
      ids: ['ENTRA_ONLY_RESOURCE_V2_PATH', 'V2_PATH_CANNOT_CARRY_ENTRA'],
    },
    {
      name: 'negative: a real partial acceptance (206, one schema error) still is one',
      exchange: exchange({
        response: response(206, {
          body: ingestionBody(3, 2, [
            {
              index: 0,
              statusCode: 400,
              message: "109: Field 'name' on type 'EventData' is required but missing or empty.",
            },
          ]),
        }),
      }),
      ids: ['PARTIAL_ACCEPTANCE'],
    },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    check(row);
  });
});

describe('item 3: /v2/track with a bearer token → TOKEN_SENT_TO_V2_PATH (wrong API, upgrade), matched on path + answer', () => {
  const rows: Row[] = [
    {
      name: '400 "Authentication not supported" with a valid token',
      exchange: v2(400, { token: true, reason: 'Authentication not supported', body: ingestionBody(1, 0) }),
      ids: ['TOKEN_SENT_TO_V2_PATH'],
      severity: ['TOKEN_SENT_TO_V2_PATH', 'error'],
    },
    {
      name: '401 with a valid token (the classic .NET SDK is answered 401 on /v2/track)',
      exchange: v2(401, { token: true, reason: 'Unauthorized' }),
      ids: ['TOKEN_SENT_TO_V2_PATH'],
      severity: ['TOKEN_SENT_TO_V2_PATH', 'error'],
    },
    { name: '403 with a valid token', exchange: v2(403, { token: true }), ids: ['TOKEN_SENT_TO_V2_PATH'] },
    {
      name: '200 with a token (local authentication still on): a warning of what breaks later',
      exchange: v2(200, { token: true, body: ingestionBody(2, 2) }),
      ids: ['TOKEN_SENT_TO_V2_PATH'],
      severity: ['TOKEN_SENT_TO_V2_PATH', 'warning'],
    },
    {
      name: 'negative: 400 for schema errors with a token is not an authentication refusal',
      exchange: v2(400, {
        token: true,
        body: ingestionBody(1, 0, [
          {
            index: 0,
            statusCode: 400,
            message: "109: Field 'time' on type 'Envelope' is required but missing or empty.",
          },
        ]),
      }),
      ids: ['PARTIAL_ACCEPTANCE', 'TOKEN_SENT_TO_V2_PATH'],
      severity: ['TOKEN_SENT_TO_V2_PATH', 'warning'],
    },
    {
      name: 'negative: /v2/track 401 without a token stays ENTRA_ONLY_RESOURCE_V2_PATH',
      exchange: v2(401),
      ids: ['ENTRA_ONLY_RESOURCE_V2_PATH', 'V2_PATH_CANNOT_CARRY_ENTRA'],
    },
    {
      name: 'negative: /v2.1/track 400 with a token is not this finding',
      exchange: exchange({ response: response(400, { reason: 'Authentication not supported' }) }),
      ids: [],
    },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    check(row);
  });

  it('says "post to /v2.1/track, upgrade", not "configure a credential"', () => {
    const f = finding(diagnose(v2(401, { token: true }), NO_OPTIONS).findings, 'TOKEN_SENT_TO_V2_PATH');
    const text = [f.title, f.guidance.why, ...f.guidance.fix].join('\n');
    expect(text).toContain('/v2.1/track');
    expect(text).toMatch(/upgrade/i);
    expect(f.guidance.fix[0]).toMatch(/Keep the credential/);
    expect(text).not.toMatch(/Configure the SDK with an Entra ID credential|give the SDK a credential/i);
  });
});

describe('item 4: 401 wording: configured but no token, SDK log first, then network errors, in the base steps', () => {
  const fix = catalogEntry('TOKEN_MISSING').fix;
  const at = (re: RegExp) => fix.findIndex((s) => re.test(s));

  it("the base steps name both causes, in the article's order", () => {
    const log = at(/SDK's own log/);
    const network = at(/network errors/);
    expect(log).toBeGreaterThanOrEqual(0);
    expect(network).toBeGreaterThan(log);
    expect(fix[log]).toMatch(/Azure Identity/);
    expect(fix[network]).toMatch(/token endpoint/);
    expect(catalogEntry('TOKEN_MISSING').why).toMatch(/could not obtain a token/);
  });

  it('the finding title no longer says only "no credential"', () => {
    const f = finding(diagnose(v21NoToken(401), NO_OPTIONS).findings, 'TOKEN_MISSING');
    expect(f.title).toMatch(/no credential, or its credential could not get a token/);
    expect(f.guidance.fix).toEqual(fix);
  });

  it('negative: the runtime-specific steps are not where the two checks live', () => {
    for (const steps of Object.values(catalogEntry('TOKEN_MISSING').fixByRuntime ?? {}))
      expect(steps.some((s) => /network errors between the app and the token endpoint/.test(s))).toBe(false);
  });
});

describe('item 5: a wrong audience on an accepted batch is a warning', () => {
  const wrongAud = goodClaims({ aud: 'https://management.azure.com/' });
  const rows: Row[] = [
    {
      name: 'accepted (200): warning',
      exchange: exchange({
        request: { authorization: bearer(wrongAud) },
        response: response(200, { body: ingestionBody(2, 2) }),
      }),
      ids: ['TOKEN_WRONG_AUDIENCE'],
      severity: ['TOKEN_WRONG_AUDIENCE', 'warning'],
    },
    {
      name: 'refused (401): error',
      exchange: exchange({ request: { authorization: bearer(wrongAud) }, response: response(401) }),
      ids: ['TOKEN_WRONG_AUDIENCE'],
      severity: ['TOKEN_WRONG_AUDIENCE', 'error'],
    },
    {
      name: 'refused (403): error',
      exchange: exchange({ request: { authorization: bearer(wrongAud) }, response: response(403) }),
      ids: ['TOKEN_WRONG_AUDIENCE'],
      severity: ['TOKEN_WRONG_AUDIENCE', 'error'],
    },
    { name: 'negative: right audience, accepted', exchange: exchange(), ids: [] },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_n, row) => {
    const [f] = check(row);
    if (row.severity?.[1] === 'warning') expect(f!.title).toContain('accepted this batch');
  });

  it('the catalog no longer says the service always refuses it', () => {
    expect(catalogEntry('TOKEN_WRONG_AUDIENCE').symptom).not.toMatch(/the service refuses it\.$/);
    expect(catalogEntry('TOKEN_WRONG_AUDIENCE').severityCases?.map((c) => c.severity)).toEqual(['warning']);
  });
});

describe('item 7: runtime steps say what the article and the SDK sources say', () => {
  const steps = catalogEntry('TOKEN_MISSING').fixByRuntime!;
  it.each([
    ['java', /GraalVM native image.*cannot use Entra ID/],
    [
      'java',
      /3\.4\.17 and later read it at the top level; 3\.2\.0 to 3\.4\.16 read it only inside `"preview"`/,
    ],
    ['node', /`\.setInternalLogging\(true, true\)`/],
    ['dotnet', /PerfView/],
    ['dotnet', /dotnet-trace collect --process-id <pid> --providers Microsoft-ApplicationInsights-Core/],
    ['dotnet', /OpenTelemetry-AzureMonitor-Exporter/],
  ] as const)('%s: %s', (runtime, pattern) => {
    expect(steps[runtime]!.join('\n')).toMatch(pattern);
  });

  it('negative: no runtime claims a block place "for 3.2.0 or later" any more', () => {
    expect(steps.java!.join('\n')).not.toMatch(/3\.2\.0 or later: add an `authentication` block/);
  });

  it('a Java sender gets the Java steps only', () => {
    const java = SENDERS.find((s) => s.name === 'Java agent')!;
    const ex = exchange({ request: fromSender(java, withoutToken()), response: response(401) });
    const f = finding(diagnose(ex, NO_OPTIONS).findings, 'TOKEN_MISSING');
    expect(f.guidance.runtime).toBe('java');
    expect(f.guidance.runtimeFix).toEqual(steps.java);
  });
});

describe('no finding but informational ones on a healthy 200 batch, over every fixture sender', () => {
  const healthy: [string, Exchange, DiagnosisOptions][] = [];
  for (const sender of SENDERS) {
    for (const token of [true, false]) {
      const request = fromSender(sender, token ? { authorization: bearer() } : withoutToken());
      const ex = exchange({ request, response: response(200, { reason: 'OK', body: ingestionBody(2, 2) }) });
      healthy.push([`${sender.name}, ${token ? 'with' : 'without'} a token`, ex, NO_OPTIONS]);
      if (token)
        healthy.push([`${sender.name}, with a token, --expect-entra`, ex, options({ expectEntra: true })]);
    }
  }
  // The other fixture builders' healthy answers: live metrics, Entra ID, managed identity, statsbeat.
  healthy.push(
    ['live metrics ping 200', livePing(200), NO_OPTIONS],
    [
      'token endpoint 200',
      tokenEndpoint(200, { token_type: 'Bearer', expires_in: 3599, access_token: '[redacted]' }),
      NO_OPTIONS,
    ],
    ['IMDS 200', managedIdentity(200, { access_token: '[redacted]', token_type: 'Bearer' }), NO_OPTIONS],
    [
      'statsbeat 200 without a token',
      exchange({
        request: {
          ...withoutToken(),
          body: trackBody(
            [envelope({ iKey: STATSBEAT_IKEY, name: 'Statsbeat', baseType: 'MetricData' })],
            'ndjson',
          ),
        },
        response: response(200, { body: ingestionBody(1, 1) }),
      }),
      options({ expectEntra: true }),
    ],
  );
  it.each(healthy)('%s', (_name, ex, opts) => {
    const { findings } = diagnose(ex, opts);
    expect(findings.filter((f) => f.severity !== 'info').map((f) => `${f.id} (${f.severity})`)).toEqual([]);
  });

  it('negative: the same batch refused is not healthy', () => {
    const ex = exchange({ request: withoutToken(), response: response(401) });
    expect(diagnose(ex, NO_OPTIONS).findings.some((f) => f.severity === 'error')).toBe(true);
  });
});
