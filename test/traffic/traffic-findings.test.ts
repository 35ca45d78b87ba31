/**
 * Findings across exchanges, on a fake clock: each one fires once for its cause and says when it
 * cleared; ten minutes of healthy traffic produce none.
 */
import { TRAFFIC_FINDING_IDS, TrafficWatch } from '../../src/diagnosis/traffic';
import { catalogEntry } from '../../src/diagnosis/catalog';
import { analyzeExchange } from '../../src/ingestion/analyze';
import { MAX_BATCHES, MAX_TOKENS } from '../../src/diagnosis/traffic/summary';
import {
  envelope,
  exchange,
  goodClaims,
  livePing,
  NOW,
  NOW_S,
  OTHER_IKEY,
  response,
  STATSBEAT_IKEY,
  trackBody,
} from '../fixtures/exchanges';
import { at, healthyLocalAuthTenMinutes, healthyTenMinutes, replay, tokenOk, track } from './traffic-replay';

const fired = (lines: { traffic: { state: string }; findings: { id: string }[] }[]) =>
  lines.filter((l) => l.traffic.state === 'fired').map((l) => l.findings[0]!.id);
const cleared = (lines: { traffic: { state: string }; findings: { id: string }[] }[]) =>
  lines.filter((l) => l.traffic.state === 'cleared').map((l) => l.findings[0]!.id);

describe('findings across exchanges: healthy traffic', () => {
  it('ten minutes of healthy Entra traffic (token, batches every 5 s, live metrics every second, a refresh) produce none', () => {
    const exchanges = healthyTenMinutes();
    expect(exchanges.length).toBeGreaterThan(700);
    const { lines, watch } = replay(exchanges, NOW + 600_000, {
      connectionStringGiven: true,
      connectionStringClouds: ['public'],
    });
    expect(lines).toEqual([]);
    expect(watch.summary.exchanges).toBe(exchanges.length);
  });

  it('ten minutes of healthy local-auth traffic (no token anywhere) produce none, with --expect-entra off', () => {
    const { lines } = replay(healthyLocalAuthTenMinutes(), NOW + 600_000, { connectionStringGiven: true });
    expect(lines).toEqual([]);
  });

  it('the summary stays bounded whatever the traffic: 5,000 distinct tokens and batches', () => {
    const exchanges = Array.from({ length: 5000 }, (_, i) =>
      track(NOW + i * 10, { claims: goodClaims({ uti: `u${i}` }), seq: i }),
    );
    const { watch } = replay(exchanges, NOW + 50_000);
    expect(watch.summary.tokens.size).toBeLessThanOrEqual(MAX_TOKENS);
    expect(watch.summary.batches.size).toBeLessThanOrEqual(MAX_BATCHES);
  });
});

describe('findings across exchanges: each fires once per cause and clears', () => {
  it('TOKEN_REQUEST_NOT_SEEN: 401s without Authorization and no token traffic; cleared by a token request', () => {
    const refused = [1, 2, 3].map((s) => track(NOW + s * 1000, { noToken: true, status: 401 }));
    const { lines } = replay([...refused, tokenOk(NOW + 10_000), track(NOW + 11_000)], NOW + 12_000);
    expect(fired(lines)).toEqual(['TOKEN_REQUEST_NOT_SEEN']);
    expect(cleared(lines)).toEqual(['TOKEN_REQUEST_NOT_SEEN']);
    const firedLine = lines[0]!;
    expect(firedLine.findings[0]!.evidence.requestsWithoutToken).toBe(1);
    expect(firedLine.findings[0]!.guidance.fix.length).toBeGreaterThan(0);
    // The refused batches came from the JS exporter: Node's own steps are attached.
    expect(firedLine.findings[0]!.guidance).toMatchObject({ runtime: 'node' });
    expect(firedLine.findings[0]!.guidance.runtimeFix?.[0]).toContain('AZURE_LOG_LEVEL=verbose');
    expect(lines[1]!.msg).toMatch(
      /cleared at 12:00:10: a token request went through the proxy at 2026-11-26T12:00:10/,
    );
  });

  it('TOKEN_REQUEST_NOT_SEEN does not fire when the token request was seen first', () => {
    const { lines } = replay([tokenOk(NOW), track(NOW + 1000, { noToken: true, status: 401 })], NOW + 2000);
    expect(fired(lines)).toEqual([]);
  });

  it('NO_TELEMETRY: with a connection string, quiet-after seconds from the start; cleared by the first batch', () => {
    const { lines } = replay([track(NOW + 90_000)], NOW + 95_000, {
      connectionStringGiven: true,
      quietAfterSeconds: 60,
    });
    expect(fired(lines)).toEqual(['NO_TELEMETRY']);
    expect(lines[0]!.traffic.firedAt).toBe(new Date(NOW + 60_000).toISOString());
    expect(cleared(lines)).toEqual(['NO_TELEMETRY']);
    expect(lines[1]!.msg).toContain('telemetry reached the ingestion endpoint at 2026-11-26T12:01:30');
    // No exchange names the runtime: the proxy settings of every SDK are listed, each labelled.
    const fix = lines[0]!.findings[0]!.guidance.fix.join('\n');
    expect(fix).toContain('HTTPS_PROXY=http://127.0.0.1:8888');
    expect(fix).toMatch(/^java: .*APPLICATIONINSIGHTS_PROXY/m);
    expect(fix).toMatch(/^node: applicationinsights 2\.x reads only the lower-case `https_proxy`/m);
  });

  it('NO_TELEMETRY: statsbeat alone on /v2.1/track is not the app telemetry, so it still fires', () => {
    const statsbeat = at(
      NOW + 5_000,
      exchange({
        request: { authorization: undefined, body: trackBody([envelope({ iKey: STATSBEAT_IKEY })]) },
      }),
    );
    const { lines } = replay([statsbeat], NOW + 95_000, {
      connectionStringGiven: true,
      quietAfterSeconds: 60,
    });
    expect(fired(lines)).toEqual(['NO_TELEMETRY']);
    expect(catalogEntry('NO_TELEMETRY').detection).toContain('statsbeat');
  });

  it('NO_TELEMETRY: without a connection string it waits for a first connection, then quiet-after seconds', () => {
    const quiet = replay([], NOW + 600_000, { quietAfterSeconds: 60 });
    expect(quiet.lines).toEqual([]);
    const { lines } = replay([tokenOk(NOW + 100_000)], NOW + 200_000, { quietAfterSeconds: 60 });
    expect(fired(lines)).toEqual(['NO_TELEMETRY']);
    expect(lines[0]!.traffic.firedAt).toBe(new Date(NOW + 160_000).toISOString());
  });

  it('LIVE_METRICS_ONLY_FAILING: live metrics 401 while batches are accepted; cleared when live succeeds', () => {
    const ex = [
      track(NOW + 1000),
      at(NOW + 2000, livePing(401)),
      at(NOW + 3000, livePing(401)),
      at(NOW + 9000, livePing(200)),
    ];
    const { lines } = replay(ex, NOW + 10_000);
    expect(fired(lines)).toEqual(['LIVE_METRICS_ONLY_FAILING']);
    expect(cleared(lines)).toEqual(['LIVE_METRICS_ONLY_FAILING']);
  });

  it('LIVE_METRICS_ONLY_FAILING does not fire when telemetry fails too', () => {
    const { lines } = replay([track(NOW + 1000, { status: 403 }), at(NOW + 2000, livePing(401))], NOW + 3000);
    expect(fired(lines)).not.toContain('LIVE_METRICS_ONLY_FAILING');
  });

  it('CLOUD_MISMATCH: a US Government token sent to a public-cloud host; cleared by a public token', () => {
    const usgov = goodClaims({
      aud: 'https://monitor.azure.us',
      iss: 'https://login.microsoftonline.us/t/v2.0',
    });
    const { lines } = replay(
      [
        track(NOW + 1000, { claims: usgov, status: 401 }),
        track(NOW + 2000, { claims: usgov, status: 401 }),
        track(NOW + 3000),
      ],
      NOW + 4000,
      { connectionStringClouds: ['public'], connectionStringGiven: true },
    );
    expect(fired(lines)).toEqual(['CLOUD_MISMATCH']);
    const evidence = lines[0]!.findings[0]!.evidence;
    expect(evidence.clouds).toEqual(['public', 'usgov']);
    expect(evidence['token audience']).toBe('usgov');
    expect(evidence['token issuer']).toBe('usgov');
    expect(cleared(lines)).toEqual(['CLOUD_MISMATCH']);
  });

  it('TOKEN_USED_AFTER_EXPIRY: one token sent again after it expired; cleared by a fresh token', () => {
    const stale = goodClaims({ exp: NOW_S - 3600, nbf: NOW_S - 7200, iat: NOW_S - 7200 });
    const ex = [1, 2, 3].map((s) => track(NOW + s * 1000, { claims: stale, status: 401 }));
    const { lines } = replay([...ex, track(NOW + 5000)], NOW + 6000);
    expect(fired(lines)).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
    expect(lines[0]!.findings[0]!.evidence.usesAfterExpiry).toBe(2);
    expect(cleared(lines)).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
  });

  it('TOKEN_USED_AFTER_EXPIRY still fires for a token whose exp (-1e20) is no date', () => {
    const ex = [1, 2].map((s) => track(NOW + s * 1000, { claims: goodClaims({ exp: -1e20 }), status: 401 }));
    const { lines } = replay(ex, NOW + 3000);
    expect(fired(lines)).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
    expect(lines[0]!.findings[0]!.evidence.exp).toBeNull();
  });

  it('TOKEN_USED_AFTER_EXPIRY does not fire for one late use (that is TOKEN_EXPIRED on the exchange)', () => {
    const stale = goodClaims({ exp: NOW_S - 3600 });
    const { lines } = replay([track(NOW + 1000, { claims: stale, status: 401 })], NOW + 2000);
    expect(fired(lines)).toEqual([]);
  });

  it('RETRY_STORM: the same batch sent again and again; once per host, cleared when accepted', () => {
    const same = (ms: number, status: number) => ({
      ...track(ms, { seq: 7, status }),
      request: track(NOW, { seq: 7 }).request,
    });
    const ex = [
      same(NOW + 1000, 403),
      same(NOW + 2000, 403),
      same(NOW + 3000, 403),
      same(NOW + 4000, 403),
      same(NOW + 5000, 200),
    ];
    const { lines } = replay(ex, NOW + 6000);
    expect(fired(lines)).toEqual(['RETRY_STORM']);
    expect(lines[0]!.findings[0]!.evidence.sends).toBe(3);
    expect(cleared(lines)).toEqual(['RETRY_STORM']);
  });

  it('RETRY_STORM: 429 answers in a row, cleared when the host answers something else', () => {
    const throttled = [1, 2, 3, 4].map((s) => ({
      ...track(NOW + s * 1000),
      response: response(429, { headers: { 'retry-after': '5' } }),
    }));
    const { lines } = replay([...throttled, track(NOW + 8000)], NOW + 9000);
    expect(fired(lines)).toEqual(['RETRY_STORM']);
    expect(lines[0]!.findings[0]!.title).toMatch(/answered 429 3 times in a row/);
    expect(cleared(lines)).toEqual(['RETRY_STORM']);
  });

  it('every finding across exchanges has a case above', () => {
    expect([...TRAFFIC_FINDING_IDS].sort()).toEqual([
      'CLOUD_MISMATCH',
      'LIVE_METRICS_ONLY_FAILING',
      'NO_TELEMETRY',
      'RETRY_STORM',
      'TOKEN_REQUEST_NOT_SEEN',
      'TOKEN_USED_AFTER_EXPIRY',
    ]);
  });
});

describe('findings across exchanges: mixed traffic and the clock', () => {
  it('TOKEN_USED_AFTER_EXPIRY fires once when another app (another identity) sends its current token in between', () => {
    const stale = goodClaims({ exp: NOW_S - 3600, oid: 'app-a', appid: 'app-a' });
    const other = goodClaims({ oid: 'app-b', appid: 'app-b' });
    const ex = Array.from({ length: 20 }, (_, i) =>
      track(NOW + (i + 1) * 1000, i % 2 ? { claims: other } : { claims: stale, status: 401 }),
    );
    const { lines } = replay(ex, NOW + 25_000);
    expect(fired(lines)).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
    expect(cleared(lines)).toEqual([]);
  });

  it('TOKEN_USED_AFTER_EXPIRY clears when the stale token is no longer sent for 10 minutes, and says so', () => {
    const stale = goodClaims({ exp: NOW_S - 3600, oid: 'app-a' });
    const ex = [1, 2].map((s) => track(NOW + s * 1000, { claims: stale, status: 401 }));
    const { lines } = replay(ex, NOW + 700_000);
    expect(fired(lines)).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
    expect(cleared(lines)).toEqual(['TOKEN_USED_AFTER_EXPIRY']);
    expect(lines[1]!.msg).toContain('the expired token has not been sent for 10 minutes');
  });

  it('LIVE_METRICS_ONLY_FAILING cleared by failing telemetry says so, not "Live Metrics answered successfully at null"', () => {
    const ex = [track(NOW + 1000), at(NOW + 2000, livePing(401)), track(NOW + 5000, { status: 403 })];
    const { lines } = replay(ex, NOW + 8000);
    expect(fired(lines)).toEqual(['LIVE_METRICS_ONLY_FAILING']);
    expect(cleared(lines)).toEqual(['LIVE_METRICS_ONLY_FAILING']);
    expect(lines[1]!.msg).not.toContain('null');
    expect(lines[1]!.msg).toContain('telemetry is refused too');
  });

  it('LIVE_METRICS_ONLY_FAILING that ages out says no live failure was seen for 10 minutes', () => {
    const ex = [track(NOW + 1000), at(NOW + 2000, livePing(401))];
    for (let t = 10_000; t < 700_000; t += 5000) ex.push(track(NOW + t));
    const { lines } = replay(ex, NOW + 700_000);
    expect(cleared(lines)).toEqual(['LIVE_METRICS_ONLY_FAILING']);
    expect(lines[1]!.msg).toContain('no Live Metrics request failed in the last 10 minutes');
  });

  it('a wall clock stepped back (NTP) neither clears NO_TELEMETRY with "at null" nor fires it again', () => {
    const watch = new TrafficWatch(NOW, { connectionStringGiven: true, quietAfterSeconds: 60 });
    expect(fired(watch.tick(NOW + 60_000))).toEqual(['NO_TELEMETRY']);
    expect(watch.tick(NOW - 3_600_000)).toEqual([]);
    expect(watch.tick(NOW + 61_000)).toEqual([]);
  });
});

describe('findings across exchanges: tunnels', () => {
  const refused = (ms: number) => track(ms, { noToken: true, status: 401 });

  it('TOKEN_REQUEST_NOT_SEEN does not fire when the token request went through the proxy in a tunnel (login host out of scope)', () => {
    const watch = new TrafficWatch(NOW);
    expect(watch.connection(NOW + 500, 'login.microsoftonline.us')).toEqual([]);
    const e = refused(NOW + 1000);
    expect(watch.exchange({ exchange: e, analysis: analyzeExchange(e) }, NOW + 1000)).toEqual([]);
  });

  it('TOKEN_REQUEST_NOT_SEEN clears with a tunnel to a login host, and a tunnel elsewhere does not clear it', () => {
    const watch = new TrafficWatch(NOW);
    const e = refused(NOW + 1000);
    expect(fired(watch.exchange({ exchange: e, analysis: analyzeExchange(e) }, NOW + 1000))).toEqual([
      'TOKEN_REQUEST_NOT_SEEN',
    ]);
    expect(watch.connection(NOW + 2000, 'example.org')).toEqual([]);
    const lines = watch.connection(NOW + 3000, 'LOGIN.ChinaCloudAPI.cn.');
    expect(cleared(lines)).toEqual(['TOKEN_REQUEST_NOT_SEEN']);
  });
});

describe('findings across exchanges: RETRY_STORM counts within 10 minutes', () => {
  const same = (ms: number, status: number) => ({
    ...track(ms, { seq: 9, status }),
    request: track(NOW, { seq: 9 }).request,
  });

  it('one body sent three times 8 minutes apart (16 minutes in all) is no storm', () => {
    const ex = [0, 480_000, 960_000].map((t) => same(NOW + 1000 + t, 503));
    const { lines } = replay(ex, NOW + 970_000);
    expect(fired(lines)).toEqual([]);
  });

  it('three 429s from one host 8 minutes apart are no storm', () => {
    const ex = [0, 480_000, 960_000].map((t) => ({
      ...track(NOW + 1000 + t),
      response: response(429, { headers: { 'retry-after': '480' } }),
    }));
    const { lines } = replay(ex, NOW + 970_000);
    expect(fired(lines)).toEqual([]);
  });

  it('a fourth send within 10 minutes of the two before it makes the storm', () => {
    const ex = [0, 480_000, 960_000, 1_000_000].map((t) => same(NOW + 1000 + t, 503));
    const { lines } = replay(ex, NOW + 1_010_000);
    expect(fired(lines)).toEqual(['RETRY_STORM']);
  });
});

describe('findings across exchanges: Live Metrics redirected', () => {
  it('LIVE_METRICS_ONLY_FAILING fires once when the failing pings move to the host a redirect named', () => {
    const redirected = (ms: number) => {
      const e = at(ms, livePing(401));
      const host = 'westus2.livediagnostics.monitor.azure.com';
      return { ...e, request: { ...e.request, host, url: e.request.url.replace(e.request.host, host) } };
    };
    const ex = [
      track(NOW + 1000),
      at(NOW + 2000, livePing(401)),
      redirected(NOW + 3000),
      redirected(NOW + 4000),
    ];
    const { lines } = replay(ex, NOW + 6000);
    expect(fired(lines)).toEqual(['LIVE_METRICS_ONLY_FAILING']);
    expect(cleared(lines)).toEqual([]);
  });
});

describe('findings across exchanges: the proxy stopping', () => {
  it('a live-metrics request cut short by the shutdown does not make LIVE_METRICS_ONLY_FAILING', () => {
    const watch = new TrafficWatch(NOW);
    const ok = track(NOW + 1000);
    expect(watch.exchange({ exchange: ok, analysis: analyzeExchange(ok) }, NOW + 1000)).toEqual([]);
    const ping = at(NOW + 2000, livePing(200));
    const { response: _answered, ...unanswered } = ping;
    const cut = { ...unanswered, error: { kind: 'UPSTREAM_RESET' as const, message: 'socket hang up' } };
    const lines = watch.exchange(
      { exchange: cut, analysis: analyzeExchange(cut), interruptedByShutdown: true },
      NOW + 2500,
    );
    expect(lines).toEqual([]);
  });
});

describe('findings across exchanges: --expect-entra', () => {
  it('TOKEN_REQUEST_NOT_SEEN does not call accepted requests without a token "refused"', () => {
    const { lines } = replay([track(NOW + 1000, { noToken: true })], NOW + 2000, { expectEntra: true });
    expect(fired(lines)).toEqual(['TOKEN_REQUEST_NOT_SEEN']);
    expect(lines[0]!.findings[0]!.title).not.toContain('refused');
    expect(lines[0]!.findings[0]!.title).toContain('--expect-entra');
    expect(lines[0]!.findings[0]!.title).toContain('last answer 200');
  });
});

describe('findings across exchanges: NO_TELEMETRY cleared by a request that got no answer', () => {
  it('does not say telemetry reached the ingestion endpoint when the upstream never answered', () => {
    const sent = track(NOW + 90_000);
    const { response: _answered, ...unanswered } = sent;
    const failed = { ...unanswered, error: { kind: 'UPSTREAM_REFUSED' as const, message: 'ECONNREFUSED' } };
    const { lines } = replay([failed], NOW + 95_000, { connectionStringGiven: true, quietAfterSeconds: 60 });
    expect(cleared(lines)).toEqual(['NO_TELEMETRY']);
    expect(lines[1]!.msg).not.toContain('telemetry reached the ingestion endpoint');
    expect(lines[1]!.msg).toContain('got no answer');
  });
});

describe('findings across exchanges: two apps on one regional host', () => {
  it("RETRY_STORM sees one app's 439 streak though another app's batches to the same host are accepted in between", () => {
    const ex = [];
    for (let i = 1; i <= 8; i += 1) {
      ex.push({ ...track(NOW + i * 2000), response: response(439) });
      ex.push(track(NOW + i * 2000 + 1000, { iKey: OTHER_IKEY }));
    }
    const { lines } = replay(ex, NOW + 20_000);
    expect(fired(lines)).toEqual(['RETRY_STORM']);
    expect(lines[0]!.findings[0]!.evidence.iKey).toMatch(/^11111111-/);
    expect(lines[0]!.findings[0]!.evidence.iKey).not.toContain('2222-3333');
  });
});
