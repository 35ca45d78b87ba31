import type { Finding } from '../../model/finding';
import type { ExchangeLogLine } from '../../model/log-line';
import type { TrafficLogLine } from '../../model/traffic-line';
import { catalogEntry } from '../catalog';
import { guidanceFor } from '../guidance';
import { isIdentityHost, observe } from './observation';
import { type TrafficCause, TRAFFIC_RULES } from './rules';
import {
  DEFAULT_TRAFFIC_CONFIG,
  emptySummary,
  record,
  recordConnection,
  type TrafficConfig,
  type TrafficSummary,
} from './summary';

interface Fired {
  cause: TrafficCause;
  at: number;
}

/**
 * Findings across exchanges: feed it every exchange line (and connections, and the clock);
 * it answers with log lines when a cause starts (once per cause) and when it clears.
 * Memory is bounded by the summary's limits; time comes from the caller (a fake clock in tests).
 */
export class TrafficWatch {
  readonly summary: TrafficSummary;
  readonly config: TrafficConfig;
  private readonly active = new Map<string, Fired>();
  /** The latest time seen: a wall clock stepped back (NTP) must not clear or re-fire a cause. */
  private latest = -Infinity;

  constructor(startedAt: number, config: Partial<TrafficConfig> = {}) {
    this.config = { ...DEFAULT_TRAFFIC_CONFIG, ...config };
    this.summary = emptySummary(startedAt);
  }

  /** One exchange, as it reached the log. */
  exchange(
    line: Pick<ExchangeLogLine, 'exchange' | 'analysis' | 'interruptedByShutdown'>,
    now: number,
  ): TrafficLogLine[] {
    // Cut short by our own shutdown: its failure says nothing about the app or the service.
    if (line.interruptedByShutdown) return this.evaluate(now);
    record(this.summary, observe(line.exchange, line.analysis), this.config);
    return this.evaluate(now);
  }

  /**
   * A connection that carried no analysed exchange (a tunnel). A tunnel to a login or
   * managed-identity host (one left out of the scope) is a token request through the proxy too.
   */
  connection(at: number, host?: string): TrafficLogLine[] {
    recordConnection(this.summary, at);
    if (host !== undefined && isIdentityHost(host)) this.summary.identitySeenAt ??= at;
    return this.evaluate(at);
  }

  /** The clock moved (for the findings about what did not happen). */
  tick(now: number): TrafficLogLine[] {
    return this.evaluate(now);
  }

  private evaluate(at: number): TrafficLogLine[] {
    this.latest = Math.max(this.latest, at);
    const now = this.latest;
    const out: TrafficLogLine[] = [];
    const current = new Map<string, TrafficCause>();
    for (const rule of TRAFFIC_RULES) {
      let causes: TrafficCause[] = [];
      try {
        causes = rule.active(this.summary, now, this.config);
      } catch {
        // A broken rule must not stop the others (or the proxy).
      }
      for (const cause of causes) current.set(cause.key, cause);
    }
    for (const [key, fired] of this.active) {
      if (current.has(key)) continue;
      this.active.delete(key);
      const rule = TRAFFIC_RULES.find((r) => r.id === fired.cause.id);
      const because = rule?.clearedBecause(this.summary, fired.cause) ?? 'the cause is gone';
      out.push(this.line(fired.cause, 'cleared', fired.at, now, because));
    }
    for (const [key, cause] of current) {
      if (this.active.has(key)) continue;
      this.active.set(key, { cause, at: now });
      out.push(this.line(cause, 'fired', now, now));
    }
    return out;
  }

  /** Causes active now. */
  activeCauses(): TrafficCause[] {
    return [...this.active.values()].map((f) => f.cause);
  }

  private line(
    cause: TrafficCause,
    state: 'fired' | 'cleared',
    firedAt: number,
    now: number,
    because?: string,
  ): TrafficLogLine {
    const entry = catalogEntry(cause.id);
    const finding: Finding = {
      id: cause.id,
      severity: state === 'cleared' ? 'info' : entry.severity,
      title: state === 'cleared' ? `Cleared: ${cause.title} (${because})` : cause.title,
      evidence: cause.evidence,
      guidance: guidanceFor(entry, cause.runtime, {}),
    };
    // No exchange says which runtime (an absence): every runtime's own steps, each labelled.
    if (!cause.runtime && entry.fixByRuntime) {
      for (const [runtime, steps] of Object.entries(entry.fixByRuntime))
        finding.guidance.fix.push(...steps.map((step) => `${runtime}: ${step}`));
    }
    const traffic: TrafficLogLine['traffic'] = {
      state,
      cause: cause.key,
      firedAt: new Date(firedAt).toISOString(),
    };
    if (state === 'cleared') traffic.clearedAt = new Date(now).toISOString();
    const when = new Date(now).toISOString().slice(11, 19);
    return {
      msg:
        state === 'fired'
          ? `TRAFFIC ${cause.id}: ${cause.title}`
          : `TRAFFIC ${cause.id} cleared at ${when}: ${because}`,
      traffic,
      findings: [finding],
    };
  }
}
