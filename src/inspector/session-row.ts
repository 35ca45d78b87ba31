import type { Exchange } from '../model/exchange';
import type { Finding, Severity } from '../model/finding';
import { type ExchangeLogLine, itemsSentOf } from '../model/log-line';
import { levelOf } from '../sinks/exchange-sink';

/**
 * One row of the page's session list, made on the server from a log record: the list moves a few
 * hundred bytes per exchange, and the full record is fetched only when a row is opened.
 * The page imports this file for its types only.
 */

export type Channel = 'track' | 'live' | 'statsbeat' | 'token' | 'other';
export const CHANNELS: readonly Channel[] = ['track', 'live', 'statsbeat', 'token', 'other'];

export interface SessionRow {
  seq: number;
  id: string;
  /** ISO time the request started. */
  time: string;
  status?: number;
  reason?: string;
  /** What went wrong before (or instead of) an HTTP answer: CLIENT_TLS_REJECTED, UPSTREAM_REFUSED... */
  error?: string;
  method: string;
  host: string;
  path: string;
  /** v2 or v2.1 for track requests: an Entra token only works on v2.1. */
  apiVersion?: 'v2' | 'v2.1';
  channel: Channel;
  /** `Authorization` as recorded: scheme, audience and expiry (epoch seconds) of a JWT. */
  auth?: { scheme: string; aud?: string; exp?: number; malformed?: string };
  itemsSent?: number;
  itemsAccepted?: number;
  durationMs?: number;
  /** Detected SDK or agent (analysis.sdk), when known. */
  runtime?: string;
  findings: { id: string; severity: Severity }[];
  level: 'info' | 'warn' | 'error';
}

const TOKEN_KINDS = [
  'token',
  'instance-discovery',
  'openid-configuration',
  'imds-token',
  'appservice-msi-token',
];

function channelOf(exchange: Exchange, kind: string | undefined): Channel {
  if (kind === 'track-v2' || kind === 'track-v2.1') return 'track';
  if (kind === 'statsbeat') return 'statsbeat';
  if (kind === 'live-ping' || kind === 'live-post') return 'live';
  if (kind && TOKEN_KINDS.includes(kind)) return 'token';
  if (exchange.scope === 'live-metrics') return 'live';
  if (exchange.scope === 'token' || exchange.scope === 'managed-identity') return 'token';
  return 'other';
}

function apiVersionOf(path: string): SessionRow['apiVersion'] {
  const m = /(?:^|\/)v2(\.1)?\/track\/?(?:\?|$)/i.exec(path);
  if (!m) return undefined;
  return m[1] ? 'v2.1' : 'v2';
}

/**
 * A value the list shows as text. A saved log may come from anywhere and hold any JSON where a
 * string belongs; the page draws a row's values as text nodes, and an object there would stop it
 * drawing every row.
 */
function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function authOf(exchange: Exchange): SessionRow['auth'] {
  const a = exchange.request.authorization;
  if (!a) return undefined;
  // An empty scheme is a credential sent without one (the summary never keeps the credential).
  const scheme = textOf(a.scheme);
  const auth: NonNullable<SessionRow['auth']> = {
    scheme: scheme === undefined ? '?' : scheme || '(no scheme)',
  };
  const aud: unknown = a.jwt?.claims?.aud;
  if (typeof aud === 'string') auth.aud = aud;
  else if (Array.isArray(aud)) auth.aud = aud.map(String).join(', ');
  const exp: unknown = a.jwt?.claims?.exp;
  if (typeof exp === 'number') auth.exp = exp;
  const malformed = textOf(a.malformed);
  if (malformed) auth.malformed = malformed;
  return auth;
}

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };

export function sessionRow(seq: number, line: ExchangeLogLine): SessionRow {
  const { exchange, analysis } = line;
  const findings: Finding[] = line.findings ?? [];
  const row: SessionRow = {
    seq,
    id: String(exchange.id ?? seq),
    time: String(exchange.startedAt ?? ''),
    method: exchange.request.method,
    host: exchange.request.host,
    path: exchange.request.path,
    channel: channelOf(exchange, analysis?.kind),
    findings: findings
      .map((f) => ({ id: f.id, severity: (textOf(f.severity) ?? 'info') as Severity }))
      .sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3)),
    level: levelOf(exchange, findings),
  };
  if (exchange.response) {
    const status: unknown = exchange.response.status;
    if (typeof status === 'number') row.status = status;
    const reason = textOf(exchange.response.reason);
    if (reason !== undefined) row.reason = reason;
  }
  if (exchange.error) row.error = textOf(exchange.error.kind) ?? 'error';
  const version = apiVersionOf(exchange.request.path);
  if (version) row.apiVersion = version;
  const auth = authOf(exchange);
  if (auth) row.auth = auth;
  const sent = itemsSentOf(analysis);
  if (typeof sent === 'number') row.itemsSent = sent;
  const accepted = analysis?.ingestionResponse?.itemsAccepted;
  if (typeof accepted === 'number') row.itemsAccepted = accepted;
  if (typeof exchange.timings?.total === 'number') row.durationMs = exchange.timings.total;
  const runtime = textOf(analysis?.sdk);
  if (runtime && runtime !== 'unknown') row.runtime = runtime;
  return row;
}
