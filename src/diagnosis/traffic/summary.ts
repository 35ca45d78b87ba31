import type { CloudName } from '../../ingestion/clouds';
import type { Runtime } from '../../model/finding';
import { CLOCK_SKEW_MS } from '../token-facts';
import { IDENTITY_KINDS, LIVE_KINDS, type Observation, TRACK_KINDS_OF_APP } from './observation';

/** Thresholds of the traffic findings. */
export interface TrafficConfig {
  /** Seconds without any track request before NO_TELEMETRY (the --quiet-after flag). */
  quietAfterSeconds: number;
  /** The proxy was given connection strings: the quiet period starts at once. */
  connectionStringClouds: CloudName[];
  connectionStringGiven: boolean;
  /** --expect-entra: every request without Authorization counts as refused. */
  expectEntra: boolean;
  /** How far back "recent" reaches (ms). */
  windowMs: number;
  /** Sends of one body, or consecutive 429/439 answers, that make a storm. */
  stormCount: number;
}

export const DEFAULT_TRAFFIC_CONFIG: TrafficConfig = {
  quietAfterSeconds: 60,
  connectionStringClouds: [],
  connectionStringGiven: false,
  expectEntra: false,
  windowMs: 10 * 60_000,
  stormCount: 3,
};

/** Bounds of the summary: whatever the traffic, it never holds more than this. */
export const MAX_TOKENS = 64;
export const MAX_BATCHES = 256;
export const MAX_HOSTS = 64;

interface TokenUse {
  exp?: number;
  identity?: string;
  usesAfterExpiry: number;
  firstUseAfterExpiry?: number;
  lastUse: number;
}

interface BatchSends {
  host: string;
  count: number;
  first: number;
  last: number;
  lastStatus?: number;
  /** The latest sends (at most stormCount): a storm is that many within the window. */
  times: number[];
}

/** Appends a time, keeping the latest `max`. */
function pushTime(times: number[], at: number, max: number): number[] {
  times.push(at);
  if (times.length > max) times.splice(0, times.length - max);
  return times;
}

/**
 * The small, bounded picture of the traffic so far that the findings across exchanges are
 * computed from. Updated by `record` (one observation at a time); read by the pure rules.
 */
export interface TrafficSummary {
  startedAt: number;
  firstConnectionAt?: number;
  exchanges: number;
  /** First token-endpoint or managed-identity exchange. */
  identitySeenAt?: number;
  refused: {
    count: number;
    first?: number;
    last?: number;
    host?: string;
    status?: number;
    runtime?: Runtime;
  };
  firstTrackAt?: number;
  /** The first track request got an answer (not refused, reset or timed out on the way). */
  firstTrackAnswered?: boolean;
  lastTrack?: { at: number; ok: boolean };
  lastTrackOkAt?: number;
  live: {
    failuresSinceOk: number;
    lastFailAt?: number;
    lastFailStatus?: number | null;
    lastOkAt?: number;
    host?: string;
  };
  /** Cloud of each recent telemetry host, with when it was last seen. */
  hostClouds: Map<string, { cloud: CloudName; last: number }>;
  /** The latest token sent to ingestion or live metrics. */
  currentToken?: {
    fingerprint: string;
    audienceCloud?: CloudName;
    issuerCloud?: CloudName;
    at: number;
    exp?: number;
  };
  tokens: Map<string, TokenUse>;
  /** Per identity ('' when the token names none), the latest use of a token that had not expired. */
  currentUse: Map<string, { fingerprint: string; at: number }>;
  batches: Map<string, BatchSends>;
  /**
   * Consecutive 429/439 answers per host and iKey: another app's accepted batches on the same
   * regional host do not break one app's streak.
   */
  throttled: Map<
    string,
    { host: string; iKey?: string; streak: number; last: number; status: number; times: number[] }
  >;
}

export function emptySummary(startedAt: number): TrafficSummary {
  return {
    startedAt,
    exchanges: 0,
    refused: { count: 0 },
    live: { failuresSinceOk: 0 },
    hostClouds: new Map(),
    tokens: new Map(),
    currentUse: new Map(),
    batches: new Map(),
    throttled: new Map(),
  };
}

/** Drops the entry used longest ago when a map is full (maps keep insertion order: re-insert on use). */
function bounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

/** Any connection through the proxy (an exchange or a tunnel). */
export function recordConnection(summary: TrafficSummary, at: number): void {
  if (summary.firstConnectionAt === undefined || at < summary.firstConnectionAt)
    summary.firstConnectionAt = at;
}

/** Adds one exchange to the summary. */
export function record(summary: TrafficSummary, o: Observation, config: TrafficConfig): void {
  summary.exchanges += 1;
  recordConnection(summary, o.at);
  if (IDENTITY_KINDS.includes(o.kind)) summary.identitySeenAt ??= o.at;
  const telemetry = TRACK_KINDS_OF_APP.includes(o.kind) || LIVE_KINDS.includes(o.kind);
  if (!telemetry) return;

  // A 401 with a token proves a token was obtained somewhere (a cache, IMDS which bypasses proxies
  // by design): only requests without one say that the identity client never got that far.
  const refusedWithoutToken =
    !o.hasAuthorization && (o.status === 401 || o.status === 403 || config.expectEntra);
  if (refusedWithoutToken) {
    const r = summary.refused;
    r.count += 1;
    r.first ??= o.at;
    r.last = o.at;
    r.host = o.host;
    r.status = o.status;
    if (o.runtime) r.runtime = o.runtime;
  }

  if (o.hostCloud) bounded(summary.hostClouds, o.host, { cloud: o.hostCloud, last: o.at }, MAX_HOSTS);
  if (o.token) {
    summary.currentToken = { ...o.token, at: o.at };
    const expired = o.token.exp !== undefined && o.token.exp * 1000 + CLOCK_SKEW_MS < o.at;
    const use = summary.tokens.get(o.token.fingerprint) ?? {
      exp: o.token.exp,
      identity: o.token.identity,
      usesAfterExpiry: 0,
      lastUse: o.at,
    };
    use.lastUse = o.at;
    if (expired) {
      use.usesAfterExpiry += 1;
      use.firstUseAfterExpiry ??= o.at;
    } else {
      const identity = o.token.identity ?? '';
      bounded(summary.currentUse, identity, { fingerprint: o.token.fingerprint, at: o.at }, MAX_TOKENS);
    }
    bounded(summary.tokens, o.token.fingerprint, use, MAX_TOKENS);
  }

  if (TRACK_KINDS_OF_APP.includes(o.kind)) {
    if (summary.firstTrackAt === undefined) {
      summary.firstTrackAt = o.at;
      summary.firstTrackAnswered = o.status !== undefined;
    }
    const accepted = ok(o.status);
    summary.lastTrack = { at: o.at, ok: accepted };
    if (accepted) summary.lastTrackOkAt = o.at;
    if (o.bodyHash) {
      const sends = summary.batches.get(o.bodyHash) ?? {
        host: o.host,
        count: 0,
        first: o.at,
        last: o.at,
        times: [],
      };
      sends.count += 1;
      pushTime(sends.times, o.at, config.stormCount);
      sends.last = o.at;
      sends.lastStatus = o.status;
      bounded(summary.batches, o.bodyHash, sends, MAX_BATCHES);
    }
  } else {
    const live = summary.live;
    if (ok(o.status)) {
      live.failuresSinceOk = 0;
      live.lastOkAt = o.at;
    } else if (o.failed || (o.status !== undefined && o.status >= 400)) {
      live.failuresSinceOk += 1;
      live.lastFailAt = o.at;
      live.lastFailStatus = o.status ?? null;
      live.host = o.host;
    }
  }

  const throttleKey = o.iKey ? `${o.host} ${o.iKey}` : o.host;
  if (o.status === 429 || o.status === 439) {
    const t = summary.throttled.get(throttleKey);
    const times = pushTime(t?.times ?? [], o.at, config.stormCount);
    const next = {
      host: o.host,
      iKey: o.iKey,
      streak: (t?.streak ?? 0) + 1,
      last: o.at,
      status: o.status,
      times,
    };
    bounded(summary.throttled, throttleKey, next, MAX_HOSTS);
  } else if (o.status !== undefined && summary.throttled.has(throttleKey)) {
    summary.throttled.delete(throttleKey);
  }
}
