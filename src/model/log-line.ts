import type { Exchange } from './exchange';
import type { Finding } from './finding';

/** One per-item error of an ingestion response. */
export interface IngestionItemError {
  index?: number;
  statusCode?: number;
  message?: string;
}

/** The ingestion service's answer: `{itemsReceived, itemsAccepted, appId, errors[]}`. */
export interface IngestionResponse {
  itemsReceived?: number;
  itemsAccepted?: number;
  appId?: string | null;
  errors: IngestionItemError[];
}

/** An error answered by Entra ID or a managed-identity endpoint. */
export interface TokenError {
  error?: string;
  errorCodes?: number[];
  /** e.g. 'AADSTS700016'. */
  aadsts?: string;
  /** First line of error_description (or the message of an App Service identity error). */
  description?: string;
  traceId?: string;
  correlationId?: string;
}

/**
 * Decoded meaning of an exchange, produced by src/ingestion (pure) from the Exchange.
 * Only the fields the sinks rely on are fixed here; the decoder may add more.
 */
export interface Analysis {
  /** e.g. 'track-v2', 'track-v2.1', 'live-ping', 'live-post', 'token', 'imds-token', 'statsbeat', 'other'. */
  kind: string;
  /** Detected SDK or agent, e.g. 'java-agent', 'js-exporter', 'node-2x', 'python-exporter', 'dotnet', 'unknown'. */
  sdk?: string;
  envelopes?: {
    count: number;
    byType: Record<string, number>;
    /** Masked instrumentation keys. */
    iKeys: string[];
    sdkVersions?: string[];
    roleNames?: string[];
  };
  ingestionResponse?: IngestionResponse;
  tokenError?: TokenError;
  [extra: string]: unknown;
}

/**
 * How many telemetry items a track request carried: the envelopes the proxy decoded, or the
 * service's own itemsReceived when it decoded none, or only part of a body cut at
 * --max-capture-bytes (a 1 MiB cut of a 3 MiB batch counted a third of its items).
 */
export function itemsSentOf(analysis: Partial<Analysis> | undefined): number | undefined {
  const counted = analysis?.envelopes?.count;
  const received = analysis?.ingestionResponse?.itemsReceived;
  const requestBody = analysis?.requestBody as { truncated?: unknown } | undefined;
  if (requestBody?.truncated === true && typeof received === 'number') return received;
  return typeof counted === 'number' ? counted : received;
}

/** One line of the annotated log (besides pino's own level/time/msg). */
export interface ExchangeLogLine {
  msg: string;
  exchange: Exchange;
  analysis?: Analysis;
  findings: Finding[];
  /** The proxy's own shutdown cut this exchange short (see src/sinks/shutdown-marker.ts). */
  interruptedByShutdown?: boolean;
}

/** An exchange line as the log holds it: the record plus pino's own fields. */
export interface LoggedExchangeLine extends ExchangeLogLine {
  level?: number | string;
  time?: string;
}

/** What one line of a JSON log is: an exchange, another JSON record, or not JSON at all. */
export type ParsedLogLine =
  | { kind: 'exchange'; line: LoggedExchangeLine }
  | { kind: 'other'; record: Record<string, unknown> }
  | { kind: 'unparsed'; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The one reader of a log line: checks the shape readers rely on (an exchange with a request
 * line) and fills what an old or hand-edited line may lack (findings, msg). Never throws.
 */
export function parseLogLine(text: string): ParsedLogLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'unparsed', reason: (err as Error).message };
  }
  return logLineOf(value);
}

/** A line's JSON value, or undefined when it is not JSON (readers count it as not parsed). */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** parseLogLine for a line already parsed as JSON (fills what it lacks in place). */
export function logLineOf(value: unknown): ParsedLogLine {
  if (!isRecord(value)) return { kind: 'unparsed', reason: 'not a JSON object' };
  const exchange = value.exchange;
  if (!isRecord(exchange)) return { kind: 'other', record: value };
  const request = exchange.request;
  if (!isRecord(request) || typeof request.method !== 'string' || typeof request.host !== 'string')
    return { kind: 'unparsed', reason: 'exchange without a request line' };
  if (!isRecord(request.headers)) request.headers = {};
  if (!isRecord(request.body)) request.body = { size: 0, captured: 0, truncated: false };
  if (typeof request.path !== 'string') request.path = '/';
  if (typeof request.url !== 'string') request.url = `https://${request.host}${request.path}`;
  if (typeof request.httpVersion !== 'string') request.httpVersion = '1.1';
  if (!isRecord(exchange.timings)) exchange.timings = { start: Date.parse(String(exchange.startedAt)) || 0 };
  if (isRecord(exchange.response)) {
    const response = exchange.response;
    if (!isRecord(response.headers)) response.headers = {};
    if (!isRecord(response.body)) response.body = { size: 0, captured: 0, truncated: false };
  }
  const line = value as unknown as LoggedExchangeLine;
  if (!Array.isArray(value.findings)) line.findings = [];
  else line.findings = line.findings.filter((f) => isRecord(f) && typeof f.id === 'string');
  if (typeof value.msg !== 'string') line.msg = '';
  if (!isRecord(value.analysis)) delete line.analysis;
  return { kind: 'exchange', line };
}
