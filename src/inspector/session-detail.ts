import { findCatalogEntry } from '../diagnosis/catalog';
import { isoFromSeconds } from '../diagnosis/evidence';
import { guidanceFor } from '../diagnosis/guidance';
import { tokenFacts } from '../diagnosis/token-facts';
import { parseJsonBody, asRecord } from '../ingestion/body';
import type { ConnectionString } from '../ingestion/connection-string';
import { ensureMaskedIkey } from '../ingestion/envelopes';
import type { Exchange } from '../model/exchange';
import type { Finding, Runtime } from '../model/finding';
import type { ExchangeLogLine, IngestionItemError } from '../model/log-line';
import { curlCommand } from './curl';

/**
 * What the inspector pane shows for one exchange beyond the record itself: the token's claims
 * against the expected audience, the envelopes joined with the service's per-item errors, and the
 * findings with the catalog's fix steps (the detected runtime's first). Pure; built on request.
 */

export interface ClaimRow {
  name: string;
  value: string;
  /** For time claims: epoch seconds, so the page can say "expired 3 h ago". */
  epochSeconds?: number;
  /** For aud: what the service expects, and whether it matches. */
  expected?: string;
  ok?: boolean;
}

export interface EnvelopeRow {
  index: number;
  type: string;
  name: string;
  time: string;
  iKey: string;
  error?: IngestionItemError;
}

export interface FindingView {
  id: string;
  severity: string;
  title: string;
  evidence: Finding['evidence'];
  why: string;
  /** The detected runtime's own steps, shown first. */
  runtime?: Runtime;
  runtimeFix: string[];
  fix: string[];
  /** Every other runtime's steps from the catalog, shown folded. */
  otherRuntimes: { runtime: Runtime; steps: string[] }[];
  learnMore: { title: string; url: string }[];
}

export interface SessionDetail {
  claims: ClaimRow[];
  expectedAudienceSource?: string;
  envelopes: {
    shape: string;
    total: number;
    rows: EnvelopeRow[];
    /** Per-item errors whose index matches no envelope shown (truncated body, rows cut). */
    unmatchedErrors: IngestionItemError[];
    /** Why there is no table: body not kept, not telemetry... */
    note?: string;
  };
  findings: FindingView[];
  curl: string;
}

/** Envelopes listed in the pane; a batch can hold thousands, the rest are counted. */
export const MAX_ENVELOPE_ROWS = 500;

const CLAIM_ORDER = ['aud', 'iss', 'tid', 'oid', 'appid', 'azp', 'sub', 'idtyp', 'roles', 'scp', 'ver'];
const TIME_CLAIMS = ['iat', 'nbf', 'exp'];
const RUNTIMES: Runtime[] = ['java', 'node', 'python', 'dotnet', 'curl'];

function claimRows(exchange: Exchange, connectionStrings: ConnectionString[]) {
  const facts = tokenFacts(exchange, connectionStrings, Date.now());
  const claims = facts.claims as Record<string, unknown> | undefined;
  const rows: ClaimRow[] = [];
  if (!claims) return { rows, source: undefined };
  const text = (v: unknown) =>
    Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : JSON.stringify(v);
  for (const name of CLAIM_ORDER) {
    if (claims[name] === undefined) continue;
    const row: ClaimRow = { name, value: text(claims[name]) };
    if (name === 'aud') {
      row.expected = facts.expectedAudiences.join(' or ');
      row.ok = facts.audienceOk;
    }
    rows.push(row);
  }
  if (claims.aud === undefined)
    rows.unshift({ name: 'aud', value: '(none)', expected: facts.expectedAudiences.join(' or '), ok: false });
  for (const name of TIME_CLAIMS) {
    const v = claims[name];
    // isoFromSeconds: an exp of 1e20 (any client can send one) is no Date, and toISOString throws.
    if (typeof v === 'number') rows.push({ name, value: isoFromSeconds(v) ?? String(v), epochSeconds: v });
  }
  return { rows, source: facts.expectedAudienceSource };
}

function envelopeRows(line: ExchangeLogLine): SessionDetail['envelopes'] {
  const errors = line.analysis?.ingestionResponse?.errors ?? [];
  const kind = line.analysis?.kind ?? '';
  const body = line.exchange.request.body;
  const isTelemetry = kind.startsWith('track') || kind === 'statsbeat';
  const empty = (note: string): SessionDetail['envelopes'] => ({
    shape: 'none',
    total: 0,
    rows: [],
    unmatchedErrors: errors,
    note,
  });
  if (!isTelemetry) return empty('not a telemetry request');
  if (body.text === undefined)
    return empty(
      body.omitted === 'healthy'
        ? 'body not kept: the log keeps bodies of failures only (--log-bodies all keeps every one)'
        : body.omitted === 'off'
          ? 'body not kept: the proxy ran with --log-bodies none'
          : body.omitted === 'sampled'
            ? 'body not decoded: beyond the per-second decode budget'
            : body.omitted === 'repeated'
              ? 'body not kept: a repeat of a failure the log already showed with its body this minute'
              : 'no body text was captured',
    );
  const parsed = parseJsonBody(body.text);
  const byIndex = new Map<number, IngestionItemError>();
  for (const e of errors) if (typeof e.index === 'number') byIndex.set(e.index, e);
  const rows: EnvelopeRow[] = [];
  parsed.documents.slice(0, MAX_ENVELOPE_ROWS).forEach((doc, index) => {
    const env = asRecord(doc) ?? {};
    const data = asRecord(env.data);
    const baseData = asRecord(data?.baseData);
    const rawKey = env.iKey ?? env.ikey;
    const row: EnvelopeRow = {
      index,
      type: typeof data?.baseType === 'string' ? data.baseType : '',
      name: typeof baseData?.name === 'string' ? baseData.name : typeof env.name === 'string' ? env.name : '',
      time: typeof env.time === 'string' ? env.time : '',
      iKey: typeof rawKey === 'string' && rawKey ? ensureMaskedIkey(rawKey) : '',
    };
    const error = byIndex.get(index);
    if (error) row.error = error;
    rows.push(row);
  });
  const shown = new Set(rows.map((r) => r.index));
  return {
    shape: parsed.shape,
    total: parsed.documents.length,
    rows,
    unmatchedErrors: errors.filter((e) => typeof e.index !== 'number' || !shown.has(e.index)),
    ...(parsed.invalidLines
      ? { note: `${parsed.invalidLines} line(s) were not JSON (cut at the capture cap?)` }
      : {}),
  };
}

/**
 * Guidance as the pane draws it: text, and lists of text. A saved log's full guidance is the log's
 * own (only references are rebuilt from the catalog) and may hold any JSON there.
 */
const textOf = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
const textsOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(textOf) : []);

function findingView(finding: Finding, caCertPath: string | undefined): FindingView {
  const g = finding.guidance ?? { why: '', fix: [], learnMore: [] };
  const entry = findCatalogEntry(finding.id);
  const otherRuntimes: FindingView['otherRuntimes'] = [];
  if (entry) {
    for (const runtime of RUNTIMES) {
      if (runtime === g.runtime) continue;
      const steps = guidanceFor(entry, runtime, { caCertPath }).runtimeFix;
      if (steps?.length) otherRuntimes.push({ runtime, steps });
    }
  }
  const titles = new Map(entry?.learnMore.map((l) => [l.url, l.title]) ?? []);
  return {
    id: finding.id,
    severity: finding.severity,
    title: textOf(finding.title),
    evidence: finding.evidence ?? {},
    why: textOf(g.why),
    ...(g.runtime ? { runtime: g.runtime } : {}),
    runtimeFix: textsOf(g.runtimeFix),
    fix: textsOf(g.fix),
    otherRuntimes,
    learnMore: textsOf(g.learnMore).map((url) => ({ url, title: titles.get(url) ?? url })),
  };
}

export interface DetailContext {
  connectionStrings?: ConnectionString[];
  caCertPath?: string;
}

export function sessionDetail(line: ExchangeLogLine, ctx: DetailContext = {}): SessionDetail {
  const claims = claimRows(line.exchange, ctx.connectionStrings ?? []);
  return {
    claims: claims.rows,
    ...(claims.source ? { expectedAudienceSource: claims.source } : {}),
    envelopes: envelopeRows(line),
    findings: (line.findings ?? []).map((f) => findingView(f, ctx.caCertPath)),
    curl: curlCommand(line.exchange),
  };
}
