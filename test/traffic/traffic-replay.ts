/**
 * Traffic replayed from the exchange fixtures on a fake clock: each exchange is diagnosed like the
 * proxy does (for its analysis) and fed to a TrafficWatch at its own time; the clock ticks every
 * second in between, as the proxy's timer does.
 */
import { analyzeExchange } from '../../src/ingestion/analyze';
import { TrafficWatch, type TrafficConfig } from '../../src/diagnosis/traffic';
import type { Exchange } from '../../src/model/exchange';
import type { TrafficLogLine } from '../../src/model/traffic-line';
import {
  bearer,
  body,
  envelope,
  exchange,
  goodClaims,
  ingestionBody,
  livePing,
  NOW,
  response,
  tokenEndpoint,
  trackBody,
} from '../fixtures/exchanges';

export const at = (ms: number, e: Exchange): Exchange => ({
  ...e,
  startedAt: new Date(ms).toISOString(),
  timings: { ...e.timings, start: ms },
});

/** Feeds the exchanges (sorted by time) and ticks each second until `until`; returns every line. */
export function replay(
  exchanges: Exchange[],
  until: number,
  config: Partial<TrafficConfig> = {},
  start = NOW,
): { lines: TrafficLogLine[]; watch: TrafficWatch } {
  const watch = new TrafficWatch(start, config);
  const lines: TrafficLogLine[] = [];
  const queue = [...exchanges].sort((a, b) => a.timings.start - b.timings.start);
  let i = 0;
  for (let now = start; now <= until; now += 1000) {
    while (i < queue.length && queue[i]!.timings.start <= now) {
      const e = queue[i++]!;
      lines.push(...watch.exchange({ exchange: e, analysis: analyzeExchange(e) }, e.timings.start));
    }
    lines.push(...watch.tick(now));
  }
  return { lines, watch };
}

/** A successful client-credentials token answer. */
export function tokenOk(ms: number): Exchange {
  return at(ms, tokenEndpoint(200, { token_type: 'Bearer', expires_in: 3599, access_token: '[redacted]' }));
}

/** A track batch with a distinct body (its own time and id), sent with this token and answered. */
export function track(
  ms: number,
  o: {
    claims?: Record<string, unknown>;
    status?: number;
    seq?: number;
    noToken?: boolean;
    iKey?: string;
  } = {},
): Exchange {
  const env = envelope(o.iKey ? { iKey: o.iKey } : {});
  const seq = o.seq ?? ms;
  (env as { time: string }).time = new Date(ms).toISOString();
  ((env.data as Record<string, any>).baseData as Record<string, unknown>).id = `r${seq}`;
  const status = o.status ?? 200;
  return at(
    ms,
    exchange({
      request: {
        authorization: o.noToken ? undefined : bearer(o.claims ?? goodClaims()),
        body: trackBody([env]),
      },
      response: response(status, {
        body:
          status === 200
            ? ingestionBody(1, 1)
            : ingestionBody(1, 0, [{ index: 0, statusCode: status, message: 'x' }]),
      }),
    }),
  );
}

/**
 * Ten minutes of a healthy Entra-authenticated app: one token request, a batch every 5 s, a live
 * metrics ping every second, a token refresh at 5 minutes (as MSAL does well before exp).
 */
export function healthyTenMinutes(start = NOW): Exchange[] {
  const out: Exchange[] = [tokenOk(start)];
  const firstToken = goodClaims({ iat: start / 1000, nbf: start / 1000, exp: start / 1000 + 3600 });
  const secondToken = goodClaims({
    iat: start / 1000 + 300,
    nbf: start / 1000 + 300,
    exp: start / 1000 + 3900,
  });
  for (let t = 2000; t < 600_000; t += 5000) {
    out.push(track(start + t, { claims: t < 300_000 ? firstToken : secondToken }));
  }
  out.push(tokenOk(start + 299_000));
  for (let t = 1500; t < 600_000; t += 1000) out.push(at(start + t, livePing(200)));
  return out;
}

/** The same, for a resource with local authentication: no token at all, every batch accepted. */
export function healthyLocalAuthTenMinutes(start = NOW): Exchange[] {
  const out: Exchange[] = [];
  for (let t = 3000; t < 600_000; t += 5000) out.push(track(start + t, { noToken: true }));
  for (let t = 1500; t < 600_000; t += 1000) out.push(at(start + t, livePing(200, { token: false })));
  return out;
}

export { body, NOW };
