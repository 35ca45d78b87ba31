import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { fixRank } from '../diagnosis/catalog';
import { redactText } from '../ingestion/redact';
import { redactForOutput } from '../ingestion/redact-output';
import { isGuidanceRef, rebuildGuidance } from '../diagnosis/guidance-ref';
import { itemsSentOf, jsonOf } from '../model/log-line';
import { logLines, MAX_LOG_LINE_BYTES, tooLongText } from '../model/log-lines';

/**
 * The summary of a log: what was exchanged, what went wrong, and what to do first. Built one
 * line at a time with bounded state (counters and capped sets), so a log of any length is read
 * in flat memory; the same builder feeds the summary printed when `start` stops.
 */

type Json = Record<string, any>;

/** Distinct values kept per list (hosts, paths, keys, identities, bad lines). */
const MAX_DISTINCT = 50;
const MAX_UNPARSED_SHOWN = 20;
const MAX_SNIPPET = 120;
const OTHER = '(other)';

export interface FindingSummary {
  id: string;
  severity: string;
  title: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** Masked instrumentation keys of the exchanges with this finding. */
  iKeys: string[];
  /** `tid=… oid=… appid=…` of the tokens on those exchanges. */
  identities: string[];
  /** Fix steps of the first occurrence (catalog text, runtime steps included). */
  fix: string[];
  learnMore: string[];
}

export type VerdictKind = 'reaching' | 'partial' | 'blocked' | 'no-telemetry';

export interface Report {
  lines: { total: number; exchanges: number; other: number; unparsed: number };
  /** Line numbers and starts of lines that were not JSON log lines (first few). */
  unparsed: { line: number; text: string }[];
  timeRange?: { first: string; last: string };
  exchanges: {
    total: number;
    byHost: Record<string, number>;
    /** `METHOD host/path` → status (or error kind) → count. */
    byRoute: Record<string, Record<string, number>>;
    byStatus: Record<string, number>;
  };
  telemetry: { trackRequests: number; trackAccepted: number; itemsSent: number; itemsAccepted: number };
  findings: FindingSummary[];
  verdict: { kind: VerdictKind; text: string };
  nextSteps: { id: string; count: number; title: string; fix: string[]; learnMore: string[] }[];
}

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };
const TRACK_PATH = /(^|\/)v2(\.1)?\/track\/?(\?|$)/i;

function bump(map: Map<string, number>, key: string, by = 1): void {
  if (!map.has(key) && map.size >= MAX_DISTINCT) key = OTHER;
  map.set(key, (map.get(key) ?? 0) + by);
}

function addCapped(set: Set<string>, value: string | undefined): void {
  if (value && set.size < MAX_DISTINCT) set.add(value);
}

function identityOf(exchange: Json): string | undefined {
  const claims = exchange.request?.authorization?.jwt?.claims;
  if (!claims) return undefined;
  const appid = claims.appid ?? claims.azp;
  const parts = [`tid=${claims.tid ?? '?'}`, `oid=${claims.oid ?? '?'}`, `appid=${appid ?? '?'}`];
  return parts.join(' ');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTrack(line: Json): boolean {
  const kind = line.analysis?.kind;
  if (kind === 'statsbeat') return false;
  if (kind === 'track-v2' || kind === 'track-v2.1') return true;
  return !kind && TRACK_PATH.test(String(line.exchange?.request?.path ?? ''));
}

interface FindingState extends Omit<FindingSummary, 'iKeys' | 'identities'> {
  iKeys: Set<string>;
  identities: Set<string>;
}

export class ReportBuilder {
  private readonly counts = { total: 0, exchanges: 0, other: 0, unparsed: 0 };
  private readonly unparsed: { line: number; text: string }[] = [];
  private first?: string;
  private last?: string;
  private readonly byHost = new Map<string, number>();
  private readonly byRoute = new Map<string, Map<string, number>>();
  private readonly byStatus = new Map<string, number>();
  private readonly telemetry = { trackRequests: 0, trackAccepted: 0, itemsSent: 0, itemsAccepted: 0 };
  private readonly findings = new Map<string, FindingState>();

  /** One line of text from a log file (numbered from 1). */
  addText(text: string, lineNumber: number): void {
    if (!text.trim()) return;
    this.addParsed(jsonOf(text), text, lineNumber);
  }

  /** A line its reader has parsed already (undefined: not JSON); `text` is quoted if unparsed. */
  addParsed(parsed: unknown, text: string, lineNumber: number): void {
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      this.addUnparsed(text, lineNumber);
      return;
    }
    const before = { ...this.counts };
    try {
      this.addRecord(parsed as Json);
    } catch {
      // JSON of a shape no log line has (a host that is an object without a string form…):
      // counted as not parsed, never fatal to the report.
      Object.assign(this.counts, before);
      this.addUnparsed(text, lineNumber);
    }
  }

  private addUnparsed(text: string, lineNumber: number): void {
    this.counts.total += 1;
    this.counts.unparsed += 1;
    if (this.unparsed.length < MAX_UNPARSED_SHOWN) {
      this.unparsed.push({ line: lineNumber, text: redactText(text).slice(0, MAX_SNIPPET) });
    }
  }

  /** One parsed log line (or a live ExchangeLogLine with its time). */
  addRecord(line: Json): void {
    this.counts.total += 1;
    const exchange = line.exchange;
    if (!exchange || typeof exchange !== 'object') {
      this.counts.other += 1;
      // A finding across exchanges (src/diagnosis/traffic) counts when it fires.
      if (line.traffic?.state === 'fired' && Array.isArray(line.findings))
        for (const finding of line.findings)
          if (isObject(finding)) this.countFinding(finding, line, String(line.time ?? ''));
      return;
    }
    this.counts.exchanges += 1;
    const time = typeof line.time === 'string' ? line.time : String(exchange.startedAt ?? '');
    if (time && (!this.first || time < this.first)) this.first = time;
    if (time && (!this.last || time > this.last)) this.last = time;
    this.countExchange(line);
    const findings: Json[] = Array.isArray(line.findings) ? line.findings : [];
    for (const finding of findings) if (isObject(finding)) this.countFinding(finding, line, time);
  }

  private countExchange(line: Json): void {
    const exchange = line.exchange as Json;
    const request = exchange.request ?? {};
    const host = String(request.host ?? '?');
    const path = String(request.path ?? '').split('?')[0];
    const status = exchange.response
      ? String(exchange.response.status)
      : String(exchange.error?.kind ?? 'no response');
    bump(this.byHost, host);
    bump(this.byStatus, status);
    let route = `${request.method ?? '?'} ${host}${path}`;
    if (!this.byRoute.has(route) && this.byRoute.size >= MAX_DISTINCT) route = OTHER;
    const statuses = this.byRoute.get(route) ?? new Map<string, number>();
    this.byRoute.set(route, statuses);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);

    if (!isTrack(line)) return;
    this.telemetry.trackRequests += 1;
    const sent = itemsSentOf(line.analysis);
    if (typeof sent === 'number') this.telemetry.itemsSent += sent;
    const code = exchange.response?.status;
    const accepted = line.analysis?.ingestionResponse?.itemsAccepted;
    if (typeof accepted === 'number') this.telemetry.itemsAccepted += accepted;
    const reached = (code === 200 || code === 206) && (typeof accepted !== 'number' || accepted > 0);
    if (reached) this.telemetry.trackAccepted += 1;
  }

  private countFinding(finding: Json, line: Json, time: string): void {
    const id = String(finding.id ?? 'UNKNOWN');
    let state = this.findings.get(id);
    if (!state) {
      // A catalog reference (a log after the first occurrence) is rebuilt from the catalog.
      const guidance = ((isGuidanceRef(finding.guidance)
        ? rebuildGuidance(finding.guidance)
        : finding.guidance) ?? {}) as Json;
      const fix = [...(Array.isArray(guidance.fix) ? guidance.fix : [])];
      if (Array.isArray(guidance.runtimeFix))
        // Without a known runtime the steps are already labelled per runtime.
        fix.push(
          ...guidance.runtimeFix.map((s: string) => (guidance.runtime ? `${guidance.runtime}: ${s}` : s)),
        );
      state = {
        id,
        severity: String(finding.severity ?? 'info'),
        title: String(finding.title ?? id),
        count: 0,
        firstSeen: time,
        lastSeen: time,
        iKeys: new Set(),
        identities: new Set(),
        fix: fix.map(String),
        learnMore: Array.isArray(guidance.learnMore) ? guidance.learnMore.map(String) : [],
      };
      this.findings.set(id, state);
    }
    state.count += 1;
    if (time && time < state.firstSeen) state.firstSeen = time;
    if (time && time > state.lastSeen) state.lastSeen = time;
    const iKeys: unknown = line.analysis?.envelopes?.iKeys;
    if (Array.isArray(iKeys)) for (const key of iKeys) addCapped(state.iKeys, String(key));
    addCapped(state.identities, identityOf(line.exchange ?? {}));
  }

  /** The summary, masked by the one output redaction (it quotes hosts, paths and titles from the log). */
  result(): Report {
    return redactForOutput(this.unmasked());
  }

  private unmasked(): Report {
    const findings: FindingSummary[] = [...this.findings.values()]
      .map((f) => ({ ...f, iKeys: [...f.iKeys], identities: [...f.identities] }))
      .sort((a, b) => rank(a) - rank(b) || b.count - a.count);
    return {
      lines: { ...this.counts },
      unparsed: [...this.unparsed],
      timeRange: this.first && this.last ? { first: this.first, last: this.last } : undefined,
      exchanges: {
        total: this.counts.exchanges,
        byHost: sortedRecord(this.byHost),
        byRoute: Object.fromEntries(
          [...this.byRoute].map(([route, statuses]) => [route, sortedRecord(statuses)]),
        ),
        byStatus: sortedRecord(this.byStatus),
      },
      telemetry: { ...this.telemetry },
      findings,
      verdict: verdictOf(this.telemetry, findings),
      nextSteps: findings
        .filter((f) => f.severity !== 'info')
        .map((f) => ({ id: f.id, count: f.count, title: f.title, fix: f.fix, learnMore: f.learnMore })),
    };
  }
}

/** Errors before warnings, then the catalog's fix order (a later stage cannot be seen until the earlier one works). */
function rank(finding: FindingSummary): number {
  return fixRank(finding.id) + (SEVERITY_RANK[finding.severity] ?? 2) * 1000;
}

function sortedRecord(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1]));
}

function verdictOf(telemetry: Report['telemetry'], findings: FindingSummary[]): Report['verdict'] {
  const errors = findings.filter((f) => f.severity === 'error');
  const worst = errors[0] ?? findings.find((f) => f.severity === 'warning');
  const cause = worst ? `${worst.title} (${worst.id}, ${worst.count}×)` : '';
  if (telemetry.trackAccepted > 0 && errors.length === 0) {
    return { kind: 'reaching', text: 'telemetry is reaching the service' };
  }
  if (telemetry.trackAccepted > 0) {
    const failed = telemetry.trackRequests - telemetry.trackAccepted;
    return {
      kind: 'partial',
      text: `telemetry is reaching the service, but not all of it: ${failed} of ${telemetry.trackRequests} track requests failed; first problem: ${cause}`,
    };
  }
  if (errors.length > 0) return { kind: 'blocked', text: `blocked: ${cause}` };
  if (telemetry.trackRequests > 0) {
    return {
      kind: 'blocked',
      text: `blocked: none of ${telemetry.trackRequests} track requests was accepted`,
    };
  }
  return {
    kind: 'no-telemetry',
    text: 'no telemetry seen: no track request went through the proxy (is the app pointed at it, and does it trust its CA?)',
  };
}

/** Reads a log stream line by line into a report; bad lines are counted, never fatal. */
export async function reportFromStream(input: Readable, maxLineBytes = MAX_LOG_LINE_BYTES): Promise<Report> {
  const builder = new ReportBuilder();
  let n = 0;
  // Not readline: a line past V8's longest string threw where no caller could catch it.
  for await (const line of logLines(input, maxLineBytes)) {
    n += 1;
    if (typeof line === 'string') builder.addText(line, n);
    else builder.addParsed(undefined, tooLongText(line), n);
  }
  return builder.result();
}

export function reportFromFile(file: string): Promise<Report> {
  return reportFromStream(createReadStream(file));
}
