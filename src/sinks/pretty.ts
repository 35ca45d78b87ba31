/**
 * The readable view of one log line: a headline per exchange, then its findings indented.
 * Pure text in, text out; colours only when asked (a terminal or --color), so the plain form is
 * stable and grep-friendly: every headline starts with the time and the level word.
 * Every line is masked (redactForOutput) and its control characters made visible before it is
 * laid out, so neither a secret nor a forged line from a peer reaches the terminal.
 */
import { redactForOutput } from '../ingestion/redact-output';
import { itemsSentOf } from '../model/log-line';
import { redactText } from '../ingestion/redact';
import { escapeControls, escapeStrings } from './terminal-text';
import { expandGuidance } from '../diagnosis/guidance-ref';

export interface PrettyOptions {
  color: boolean;
  /** Hide healthy exchanges (no warning or error finding, no failure) and clean tunnels. */
  onlyFindings: boolean;
  /**
   * Finding ids whose fix steps were already shown: later occurrences get title and evidence
   * only. Leave undefined to print the steps every time.
   */
  guidanceShown?: Set<string>;
}

type Json = Record<string, any>;

const ANSI = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  green: '\x1b[32m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};
type Colour = keyof typeof ANSI;

function paint(text: string, colour: Colour | undefined, options: PrettyOptions): string {
  return options.color && colour ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
}

/** `12:00:00.123` from pino's ISO time (UTC, as written: no local-zone surprises in shared text). */
export function clockOf(time: unknown): string {
  if (typeof time === 'string' && /T\d\d:\d\d:\d\d/.test(time)) return time.slice(11, 23).replace(/Z$/, '');
  if (typeof time === 'number') return new Date(time).toISOString().slice(11, 23);
  return '--:--:--.---';
}

function levelWord(level: unknown): string {
  const word = typeof level === 'string' ? level : typeof level === 'number' ? numericLevel(level) : 'info';
  return word.toUpperCase().padEnd(5);
}

function numericLevel(level: number): string {
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  return 'debug';
}

function levelColour(level: string): Colour | undefined {
  if (level.startsWith('ERROR') || level.startsWith('FATAL')) return 'red';
  if (level.startsWith('WARN')) return 'yellow';
  return undefined;
}

/** Findings that deserve attention (info findings are remarks, not problems). */
function isProblem(finding: Json): boolean {
  return finding?.severity === 'error' || finding?.severity === 'warning';
}

export function isHealthyExchange(line: Json): boolean {
  const findings: Json[] = Array.isArray(line.findings) ? line.findings : [];
  const error = line.exchange?.error;
  return !findings.some(isProblem) && (!error || error.kind === 'CLIENT_ABORTED');
}

function itemCounts(analysis: Json | undefined): string[] {
  const parts: string[] = [];
  const sent = itemsSentOf(analysis);
  if (typeof sent === 'number') parts.push(`${sent} item${sent === 1 ? '' : 's'}`);
  const response = analysis?.ingestionResponse;
  if (typeof response?.itemsAccepted === 'number') {
    parts.push(`${response.itemsAccepted}/${response.itemsReceived ?? '?'} accepted`);
  }
  return parts;
}

function outcomeColour(line: Json, level: string): Colour {
  const colour = levelColour(level);
  if (colour) return colour;
  const status = line.exchange?.response?.status;
  return typeof status === 'number' && status >= 400 ? 'yellow' : 'green';
}

/** `POST host/v2.1/track → 200 OK (45 ms, 3 items, 3/3 accepted)` */
function exchangeHeadline(line: Json): string {
  const exchange = line.exchange as Json;
  const request = exchange.request ?? {};
  const port =
    request.port === 443 || request.port === 80 || request.port === undefined ? '' : `:${request.port}`;
  const response = exchange.response;
  const error = exchange.error;
  const outcome = response
    ? `${response.status} ${response.reason ?? ''}`.trim()
    : error
      ? `${error.kind}${error.alert ? ` (${error.alert})` : ''}`
      : 'no response';
  const details: string[] = [];
  if (typeof exchange.timings?.total === 'number') details.push(`${exchange.timings.total} ms`);
  details.push(...itemCounts(line.analysis));
  const suffix = details.length ? ` (${details.join(', ')})` : '';
  return `${request.method ?? '?'} ${request.host ?? '?'}${port}${request.path ?? ''} → ${outcome}${suffix}`;
}

function evidenceText(evidence: unknown): string {
  if (!evidence || typeof evidence !== 'object') return '';
  return Object.entries(evidence as Json)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
}

function steps(list: unknown, indent: string): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((step, i) => `${indent}${i + 1}. ${String(step)}`);
}

/** One finding: `  ERROR TOKEN_MISSING: title`, evidence, and (the first time) its fix steps. */
export function formatFinding(finding: Json, options: PrettyOptions): string[] {
  const severity = String(finding.severity ?? 'info');
  const word = severity === 'warning' ? 'WARN ' : severity.toUpperCase().padEnd(5);
  const colour: Colour | undefined = severity === 'error' ? 'red' : severity === 'warning' ? 'yellow' : 'dim';
  const out = [
    `  ${paint(word, colour, options)} ${paint(String(finding.id), 'bold', options)}: ${finding.title ?? ''}`,
  ];
  const evidence = evidenceText(finding.evidence);
  if (evidence) out.push(`      evidence: ${evidence}`);
  if (!isProblem(finding)) return out;
  const shown = options.guidanceShown;
  if (shown?.has(finding.id)) {
    out.push(`      fix: see the first ${finding.id} above`);
    return out;
  }
  shown?.add(finding.id);
  const guidance = (finding.guidance ?? {}) as Json;
  if (guidance.why) out.push(`      why: ${guidance.why}`);
  if (Array.isArray(guidance.fix) && guidance.fix.length)
    out.push('      fix:', ...steps(guidance.fix, '        '));
  if (Array.isArray(guidance.runtimeFix) && guidance.runtimeFix.length) {
    out.push(`      ${guidance.runtime ?? 'runtime'}:`, ...steps(guidance.runtimeFix, '        '));
  }
  if (Array.isArray(guidance.learnMore) && guidance.learnMore.length) {
    out.push(`      learn more: ${guidance.learnMore.join(' ')}`);
  }
  return out;
}

const PLAIN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** Any other line: its message plus its other fields, compact. */
function genericLine(line: Json): string {
  const extras = Object.entries(line)
    .filter(([key]) => !PLAIN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [line.msg ?? '', ...extras].filter(Boolean).join(' ');
}

function startupLines(line: Json): string[] {
  const out = [String(line.msg ?? `listening on ${line.listening}`)];
  if (line.env) out.push(`      env: ${line.env}`);
  if (line.javaFlags) out.push(`      java: ${line.javaFlags}`);
  if (line.ca?.fingerprint256) out.push(`      ca sha256: ${line.ca.fingerprint256}`);
  return out;
}

function tunnelLine(line: Json): string {
  const t = line.tunnel as Json;
  const failed = t.error ? ` failed: ${t.error}` : '';
  return `TUNNEL ${t.target} (not intercepted) ↑${t.bytesUp ?? 0} B ↓${t.bytesDown ?? 0} B ${t.durationMs ?? 0} ms${failed}`;
}

/**
 * Formats one parsed log line as text (no trailing newline), or undefined when the options hide it.
 */
export function formatLogLine(line: Json, options: PrettyOptions): string | undefined {
  const level = levelWord(line.level);
  const prefix = `${clockOf(line.time)} ${paint(level, levelColour(level), options)} `;
  if (line.exchange && typeof line.exchange === 'object') {
    if (options.onlyFindings && isHealthyExchange(line)) return undefined;
    const findings: Json[] = Array.isArray(line.findings) ? line.findings : [];
    const headline = paint(exchangeHeadline(line), outcomeColour(line, level), options);
    return [prefix + headline, ...findings.flatMap((f) => formatFinding(f, options))].join('\n');
  }
  if (line.traffic && typeof line.traffic === 'object' && Array.isArray(line.findings)) {
    // A finding across exchanges: its own line; the guidance only when it fires.
    if (line.traffic.state === 'cleared') return prefix + paint(String(line.msg ?? ''), 'green', options);
    const head = prefix + paint('TRAFFIC (a finding across exchanges)', levelColour(level), options);
    return [head, ...(line.findings as Json[]).flatMap((f) => formatFinding(f, options))].join('\n');
  }
  if (line.tunnel && typeof line.tunnel === 'object') {
    if (options.onlyFindings && !line.tunnel.error) return undefined;
    return prefix + tunnelLine(line);
  }
  if (line.listening) {
    const [first, ...rest] = startupLines(line);
    return [prefix + first, ...rest].join('\n');
  }
  return prefix + genericLine(line);
}

/** A line that is not a JSON object: shown as it is, masked and escaped. */
export function plainLine(text: string): string {
  return escapeControls(redactText(text));
}

/** Formats one text line of NDJSON; lines that are not JSON objects pass through (masked, escaped). */
export function formatTextLine(text: string, options: PrettyOptions): string | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return plainLine(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return plainLine(text);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return plainLine(text);
  return formatLogLine(escapeStrings(redactForOutput(expandGuidance(parsed) as Json)), options);
}
