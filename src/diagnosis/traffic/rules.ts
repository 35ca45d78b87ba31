import type { CloudName } from '../../ingestion/clouds';
import type { EvidenceValue, Runtime } from '../../model/finding';
import { isoFromMs } from '../evidence';
import type { FindingId } from '../finding-ids';
import type { TrafficConfig, TrafficSummary } from './summary';

/** One active cause of a finding across exchanges. */
export interface TrafficCause {
  /** Stable while the cause lasts: the finding fires once per key. */
  key: string;
  id: FindingId;
  title: string;
  evidence: Record<string, EvidenceValue>;
  /** The runtime of the exchanges behind it, when known: its own fix steps are attached. */
  runtime?: Runtime;
}

/** A finding across exchanges: which causes are active now, and what ended one. */
export interface TrafficRule {
  id: FindingId;
  active(summary: TrafficSummary, now: number, config: TrafficConfig): TrafficCause[];
  /** Why a cause is over, in a few words ("a token request went through the proxy"). */
  clearedBecause(summary: TrafficSummary, cause: TrafficCause): string;
}

const iso = isoFromMs;
const recent = (at: number | undefined, now: number, config: TrafficConfig) =>
  at !== undefined && now - at <= config.windowMs;
/** The latest stormCount times (kept by the summary) fall within one window. */
const stormWithin = (times: readonly number[], config: TrafficConfig) =>
  times.length >= config.stormCount &&
  times[times.length - 1]! - times[times.length - config.stormCount]! <= config.windowMs;

/** With --expect-entra an accepted request without a token counts too: do not call it refused. */
const refusedOrSent = (status: number | undefined) =>
  status === 401 || status === 403
    ? `refused (last ${status})`
    : `sent while --expect-entra says one is needed (last answer ${status ?? 'none'})`;

export const tokenRequestNotSeen: TrafficRule = {
  id: 'TOKEN_REQUEST_NOT_SEEN',
  active(s) {
    if (s.identitySeenAt !== undefined || s.refused.count === 0) return [];
    return [
      {
        key: 'token-request-not-seen',
        id: 'TOKEN_REQUEST_NOT_SEEN',
        runtime: s.refused.runtime,
        title: `${s.refused.count} telemetry request(s) without a token ${refusedOrSent(s.refused.status)}, and no token request went through the proxy`,
        evidence: {
          requestsWithoutToken: s.refused.count,
          lastStatus: s.refused.status ?? null,
          host: s.refused.host ?? null,
          firstRefused: iso(s.refused.first),
          tokenRequestsSeen: 0,
        },
      },
    ];
  },
  clearedBecause: (s) => `a token request went through the proxy at ${iso(s.identitySeenAt)}`,
};

export const noTelemetry: TrafficRule = {
  id: 'NO_TELEMETRY',
  active(s, now, config) {
    if (s.firstTrackAt !== undefined) return [];
    const from = config.connectionStringGiven ? s.startedAt : s.firstConnectionAt;
    if (from === undefined || now - from < config.quietAfterSeconds * 1000) return [];
    return [
      {
        key: 'no-telemetry',
        id: 'NO_TELEMETRY',
        title: `No telemetry reached the ingestion endpoint in ${Math.round((now - from) / 1000)} s (--quiet-after ${config.quietAfterSeconds})`,
        evidence: {
          since: iso(from),
          quietAfterSeconds: config.quietAfterSeconds,
          startedBy: config.connectionStringGiven
            ? 'proxy start (--connection-string given)'
            : 'first connection',
          exchangesSeen: s.exchanges,
        },
      },
    ];
  },
  // A track request that got no answer came through the proxy, but never reached the service.
  clearedBecause: (s) =>
    s.firstTrackAnswered === false
      ? `a track request came through the proxy at ${iso(s.firstTrackAt)}, but got no answer from the ingestion endpoint (see its own line)`
      : `telemetry reached the ingestion endpoint at ${iso(s.firstTrackAt)}`,
};

export const liveMetricsOnlyFailing: TrafficRule = {
  id: 'LIVE_METRICS_ONLY_FAILING',
  active(s, now, config) {
    const live = s.live;
    if (live.failuresSinceOk === 0 || !s.lastTrack?.ok) return [];
    if (!recent(live.lastFailAt, now, config) || !recent(s.lastTrackOkAt, now, config)) return [];
    return [
      {
        // One cause whatever the host: a redirect (x-ms-qps-service-endpoint-redirect-v2) moves it.
        key: 'live-only',
        id: 'LIVE_METRICS_ONLY_FAILING',
        title: `Live Metrics failed ${live.failuresSinceOk} time(s) (${live.lastFailStatus ?? 'no answer'}) while telemetry is accepted`,
        evidence: {
          liveHost: live.host ?? null,
          liveFailures: live.failuresSinceOk,
          lastLiveStatus: live.lastFailStatus ?? null,
          lastTrackAccepted: iso(s.lastTrackOkAt),
        },
      },
    ];
  },
  // More than a live success ends it: say which, not a success that never happened.
  clearedBecause: (s) =>
    s.live.failuresSinceOk === 0
      ? `Live Metrics answered successfully at ${iso(s.live.lastOkAt)}`
      : !s.lastTrack?.ok
        ? 'telemetry is refused too now (see the findings of the track requests)'
        : 'no Live Metrics request failed in the last 10 minutes',
};

export const cloudMismatch: TrafficRule = {
  id: 'CLOUD_MISMATCH',
  active(s, now, config) {
    // Evaluated after every exchange: one cloud (the healthy case) is found without building the list.
    let first: CloudName | undefined;
    let mixed = false;
    forEachCloudSource(s, now, config, (_, cloud) => {
      first ??= cloud;
      mixed ||= cloud !== first;
    });
    if (!mixed) return [];
    const sources: [string, CloudName][] = [];
    forEachCloudSource(s, now, config, (source, cloud) => sources.push([source, cloud]));
    const clouds = [...new Set(sources.map(([, c]) => c))].sort();
    if (clouds.length < 2) return [];
    const evidence: Record<string, EvidenceValue> = { clouds };
    for (const [source, cloud] of sources) evidence[source] = cloud;
    return [
      {
        key: `clouds:${clouds.join('+')}`,
        id: 'CLOUD_MISMATCH',
        title: `Azure clouds disagree: ${sources.map(([src, c]) => `${src} → ${c}`).join(', ')}`,
        evidence,
      },
    ];
  },
  clearedBecause: () => 'the ingestion host, the connection string and the token name one cloud again',
};

/** Each place that names a cloud (recent hosts, connection strings, the current token), in order. */
function forEachCloudSource(
  s: TrafficSummary,
  now: number,
  config: TrafficConfig,
  visit: (source: string, cloud: CloudName) => void,
): void {
  for (const [host, h] of s.hostClouds) if (recent(h.last, now, config)) visit(`host ${host}`, h.cloud);
  for (const cloud of config.connectionStringClouds) visit('connection string', cloud);
  const token = recent(s.currentToken?.at, now, config) ? s.currentToken : undefined;
  if (token?.audienceCloud) visit('token audience', token.audienceCloud);
  if (token?.issuerCloud) visit('token issuer', token.issuerCloud);
}

/** The current token of the same identity used since the stale one's last use, if any. */
function replacementOf(s: TrafficSummary, fingerprint: string) {
  const use = s.tokens.get(fingerprint);
  const current = use ? s.currentUse.get(use.identity ?? '') : undefined;
  return use && current && current.fingerprint !== fingerprint && current.at >= use.lastUse
    ? current
    : undefined;
}

export const tokenUsedAfterExpiry: TrafficRule = {
  id: 'TOKEN_USED_AFTER_EXPIRY',
  active(s, now, config) {
    // Per stale token: another app's (another identity's) current token through the same proxy
    // does not end it, so a cause does not flap with every request of the two apps.
    const causes: TrafficCause[] = [];
    for (const [fingerprint, use] of s.tokens) {
      if (use.usesAfterExpiry < 2 || !recent(use.lastUse, now, config)) continue;
      if (replacementOf(s, fingerprint)) continue;
      causes.push({
        key: `stale-token:${fingerprint}`,
        id: 'TOKEN_USED_AFTER_EXPIRY',
        title: `Token ${fingerprint} sent ${use.usesAfterExpiry} times after it expired (${iso(use.exp === undefined ? undefined : use.exp * 1000)}): the refresh is failing`,
        evidence: {
          fingerprint,
          exp: iso(use.exp === undefined ? undefined : use.exp * 1000),
          usesAfterExpiry: use.usesAfterExpiry,
          firstUseAfterExpiry: iso(use.firstUseAfterExpiry),
          lastUse: iso(use.lastUse),
        },
      });
    }
    return causes;
  },
  clearedBecause: (s, cause) => {
    const current = replacementOf(s, String(cause.evidence.fingerprint));
    return current
      ? `a current token (${current.fingerprint}) of the same identity is used since ${iso(current.at)}`
      : 'the expired token has not been sent for 10 minutes';
  },
};

export const retryStorm: TrafficRule = {
  id: 'RETRY_STORM',
  active(s, now, config) {
    const causes: TrafficCause[] = [];
    const seenHosts = new Set<string>();
    for (const [hash, b] of s.batches) {
      const accepted = b.lastStatus !== undefined && b.lastStatus >= 200 && b.lastStatus < 300;
      if (!stormWithin(b.times, config) || accepted || !recent(b.last, now, config) || seenHosts.has(b.host))
        continue;
      seenHosts.add(b.host);
      causes.push({
        key: `same-batch:${b.host}`,
        id: 'RETRY_STORM',
        title: `The same batch was sent ${b.count} times to ${b.host} since ${iso(b.first)} (last answer ${b.lastStatus ?? 'none'})`,
        evidence: {
          host: b.host,
          bodyHash: hash,
          sends: b.count,
          firstSent: iso(b.first),
          lastStatus: b.lastStatus ?? null,
        },
      });
    }
    for (const t of s.throttled.values()) {
      if (!stormWithin(t.times, config) || !recent(t.last, now, config)) continue;
      const evidence: Record<string, EvidenceValue> = { host: t.host };
      if (t.iKey) evidence.iKey = t.iKey;
      causes.push({
        // One cause per host (as in the log's `traffic.cause`), whichever app's streak it is.
        key: `throttled:${t.host}`,
        id: 'RETRY_STORM',
        title: `${t.host}${t.iKey ? ` (iKey ${t.iKey})` : ''} answered ${t.status} ${t.streak} times in a row: throttled, and the client keeps retrying`,
        evidence: { ...evidence, consecutiveThrottled: t.streak, lastStatus: t.status, last: iso(t.last) },
      });
    }
    return causes;
  },
  clearedBecause: () => 'the batch was accepted, or the host stopped throttling, or the retries stopped',
};

/** Every finding across exchanges, most fundamental first. */
export const TRAFFIC_RULES: readonly TrafficRule[] = [
  noTelemetry,
  tokenRequestNotSeen,
  cloudMismatch,
  tokenUsedAfterExpiry,
  liveMetricsOnlyFailing,
  retryStorm,
];

export const TRAFFIC_FINDING_IDS: readonly FindingId[] = TRAFFIC_RULES.map((r) => r.id);
