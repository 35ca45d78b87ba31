/**
 * Findings across exchanges through the running proxy, with real clients (the Azure Monitor
 * exporter, @azure/identity, curl) against the local fake, inside a private network namespace.
 * Each finding fires once, as its own log line, in the step that caused it, and clears later.
 */
import type { RunStepsResult } from '../../src/demo/run-steps';
import type { Step, StepResult } from '../../src/demo/steps';
import { DEFAULT_APP } from '../../src/fake/defaults';
import { jwtString } from '../fixtures/exchanges';
import { requireNetns, runStepsInNetns, stepOf } from '../e2e/helpers';

const enabled = requireNetns();
const describeNetns = enabled ? describe : describe.skip;

const nowS = Math.floor(Date.now() / 1000);
/** One fixed token that expired two hours ago: the app keeps handing it to the SDK. */
const EXPIRED = jwtString({
  aud: 'https://monitor.azure.com',
  iss: 'https://sts.windows.net/0f4e1c2d-3b5a-4c6d-8e7f-a1b2c3d4e5f6/',
  tid: '0f4e1c2d-3b5a-4c6d-8e7f-a1b2c3d4e5f6',
  oid: DEFAULT_APP.objectId,
  appid: DEFAULT_APP.clientId,
  iat: nowS - 10800,
  nbf: nowS - 10800,
  exp: nowS - 7200,
});

/** One batch, byte for byte the same on every send. */
const BATCH = JSON.stringify([
  {
    ver: 1,
    name: 'Microsoft.ApplicationInsights.Message',
    time: '2026-11-29T10:00:00.000Z',
    iKey: '{ikey}',
    tags: { 'ai.cloud.role': 'curl' },
    data: { baseType: 'MessageData', baseData: { ver: 2, message: 'the same batch' } },
  },
]);

function curl(
  id: string,
  url: string,
  o: { token?: boolean; retry?: boolean } = {},
  fake?: Step['fake'],
): Step {
  // curl truncates its output file before a retry: a regular file, not /dev/null.
  const argv = [
    'curl',
    '-sS',
    '-o',
    `{work}/curl-${id}.out`,
    '-w',
    '%{http_code}',
    '-x',
    'http://{proxyHost}:{proxyPort}',
  ];
  argv.push('--cacert', '{proxyCa}', '-H', 'Content-Type: application/json');
  if (o.token) argv.push('-H', 'Authorization: Bearer {token}');
  if (o.retry) argv.push('--retry', '3', '--retry-delay', '1', '--retry-max-time', '20');
  argv.push('--data-binary', BATCH, url);
  return { id, title: id, fake, action: { kind: 'command', argv, timeoutMs: 30000 }, timeoutMs: 30000 };
}

const LIVE_PING = 'https://westus.livediagnostics.monitor.azure.com/QuickPulseService.svc/ping?ikey={ikey}';

const STEPS: Step[] = [
  {
    id: 'no-credential',
    title: 'exporter without credential',
    action: { kind: 'exporter', credential: { type: 'none' } },
  },
  {
    id: 'token-request',
    title: '@azure/identity token request',
    action: { kind: 'identity-token', clientId: DEFAULT_APP.clientId, secret: DEFAULT_APP.secret },
  },
  {
    id: 'usgov-token',
    title: 'a US Government token on a public endpoint',
    action: { kind: 'exporter', credential: { type: 'minted', claims: { aud: 'https://monitor.azure.us' } } },
  },
  {
    id: 'healthy-1',
    title: 'exporter with a client secret',
    action: { kind: 'exporter', credential: { type: 'client-secret' } },
  },
  {
    id: 'expired-1',
    title: 'stale token',
    action: { kind: 'exporter', credential: { type: 'token', token: EXPIRED } },
  },
  {
    id: 'expired-2',
    title: 'stale token again',
    action: { kind: 'exporter', credential: { type: 'token', token: EXPIRED } },
  },
  {
    id: 'healthy-2',
    title: 'exporter with a client secret',
    action: { kind: 'exporter', credential: { type: 'client-secret' } },
  },
  curl('track-ok', '{ingestionUrl}', { token: true }),
  curl('live-no-token', LIVE_PING),
  curl('live-ok', LIVE_PING, { token: true }),
  curl(
    'throttled',
    '{ingestionUrl}',
    { token: true, retry: true },
    { scenario: { name: 'throttle', retryAfterSeconds: 1, times: 20 } },
  ),
  curl('accepted', '{ingestionUrl}', { token: true }),
];

type Line = Record<string, any>;
const trafficLines = (step: StepResult, state: 'fired' | 'cleared'): Line[] =>
  step.lines.filter((l) => l.traffic?.state === state);
const idsOf = (lines: Line[]) => lines.map((l) => l.findings[0].id as string);

describeNetns('findings across exchanges, through the running proxy with real clients', () => {
  let result: RunStepsResult;
  beforeAll(async () => {
    result = await runStepsInNetns(STEPS, { noStatsbeat: true, timeoutMs: 240000 });
  }, 250000);

  const fired = (id: string) => idsOf(trafficLines(stepOf(result, id), 'fired'));
  const cleared = (id: string) => idsOf(trafficLines(stepOf(result, id), 'cleared'));

  it('each fired line is its own log line with one finding, its guidance and a level; each cause fires once', () => {
    const all = result.proxyLines.filter((l) => l.traffic);
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const line of all) {
      expect(line.exchange).toBeUndefined();
      expect(line.findings).toHaveLength(1);
      expect(line.msg).toMatch(/^TRAFFIC [A-Z_]+/);
      expect(['warn', 'error', 'info']).toContain(line.level);
    }
    const causes = all.filter((l) => l.traffic.state === 'fired').map((l) => l.traffic.cause);
    expect(new Set(causes).size).toBe(causes.length);
  });

  it('TOKEN_REQUEST_NOT_SEEN: the exporter sent without a token and no token request passed; cleared by one', () => {
    expect(fired('no-credential')).toEqual(['TOKEN_REQUEST_NOT_SEEN']);
    expect(cleared('token-request')).toEqual(['TOKEN_REQUEST_NOT_SEEN']);
    const line = trafficLines(stepOf(result, 'token-request'), 'cleared')[0]!;
    expect(line.msg).toMatch(/cleared at \d\d:\d\d:\d\d: a token request went through the proxy at \d{4}-/);
  });

  it('CLOUD_MISMATCH: a US Government token to a public ingestion host named in a public connection string', () => {
    expect(fired('usgov-token')).toEqual(['CLOUD_MISMATCH']);
    const evidence = trafficLines(stepOf(result, 'usgov-token'), 'fired')[0]!.findings[0].evidence;
    expect(evidence['token audience']).toBe('usgov');
    expect(evidence['connection string']).toBe('public');
    expect(cleared('healthy-1')).toEqual(['CLOUD_MISMATCH']);
  });

  it('TOKEN_USED_AFTER_EXPIRY: the same expired token sent a second time; cleared by a fresh token', () => {
    expect(fired('expired-1')).toEqual([]);
    expect(fired('expired-2')).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
    expect(cleared('healthy-2')).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
  });

  it('LIVE_METRICS_ONLY_FAILING: live metrics refused while track is accepted; cleared when live succeeds', () => {
    expect(fired('track-ok')).toEqual([]);
    expect(fired('live-no-token')).toEqual(['LIVE_METRICS_ONLY_FAILING']);
    expect(cleared('live-ok')).toEqual(['LIVE_METRICS_ONLY_FAILING']);
  });

  it('RETRY_STORM: curl --retry resends the same batch into 429s; both causes clear when it is accepted', () => {
    const lines = trafficLines(stepOf(result, 'throttled'), 'fired');
    expect(idsOf(lines)).toEqual(['RETRY_STORM', 'RETRY_STORM']);
    expect(lines.map((l) => l.traffic.cause).sort()).toEqual([
      'same-batch:westus-0.in.applicationinsights.azure.com',
      'throttled:westus-0.in.applicationinsights.azure.com',
    ]);
    expect(cleared('accepted')).toEqual(['RETRY_STORM', 'RETRY_STORM']);
  });

  it('healthy steps fire nothing new', () => {
    for (const id of ['token-request', 'healthy-1', 'healthy-2', 'track-ok', 'live-ok', 'accepted'])
      expect({ id, fired: fired(id) }).toEqual({ id, fired: [] });
  });
});

describeNetns('NO_TELEMETRY through the running proxy', () => {
  it('fires when nothing reaches ingestion within --quiet-after seconds, and clears with the first batch', async () => {
    const steps: Step[] = [
      {
        id: 'token-only',
        title: 'the app gets a token but sends no telemetry',
        action: { kind: 'identity-token', clientId: DEFAULT_APP.clientId, secret: DEFAULT_APP.secret },
      },
      // Wait on the proxy's own timer: bounded, and long enough for --quiet-after 2 to pass.
      { id: 'quiet', title: 'quiet', action: { kind: 'command', argv: ['sleep', '4'] } },
      {
        id: 'telemetry',
        title: 'telemetry at last',
        action: { kind: 'exporter', credential: { type: 'client-secret' } },
      },
    ];
    const result = await runStepsInNetns(steps, { noStatsbeat: true, quietAfter: 2, timeoutMs: 120000 });
    const all = result.proxyLines.filter((l) => l.traffic);
    expect(all.map((l) => `${l.traffic.state} ${l.findings[0].id}`)).toEqual([
      'fired NO_TELEMETRY',
      'cleared NO_TELEMETRY',
    ]);
    expect(all[0]!.findings[0].evidence.quietAfterSeconds).toBe(2);
    expect(all[1]!.msg).toMatch(/telemetry reached the ingestion endpoint at/);
    expect(idsOf(trafficLines(stepOf(result, 'telemetry'), 'cleared'))).toEqual(['NO_TELEMETRY']);
  }, 130000);
});
