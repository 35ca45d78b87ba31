import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import type { BodyCapture, Exchange, HeaderMap } from '../model/exchange';
import type { Finding } from '../model/finding';
import type { Analysis } from '../model/log-line';
import { redactForOutput } from '../ingestion/redact-output';
import { escapeC1InJson } from './terminal-text';

/**
 * HAR 1.2 (the format Chrome DevTools and Fiddler import) from exchanges. The Exchange is already
 * redacted, so the HAR carries exactly what the log carries: `[redacted]` headers, masked keys,
 * token claims instead of tokens. Our additions are underscore fields, which HAR allows.
 */

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: never[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string; comment?: string; _encoding?: 'base64' };
    headersSize: -1;
    bodySize: number;
    comment?: string;
    _authorization?: unknown;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: never[];
    headers: HarNameValue[];
    content: {
      size: number;
      compression?: number;
      mimeType: string;
      text?: string;
      encoding?: 'base64';
      comment?: string;
    };
    redirectURL: string;
    headersSize: -1;
    bodySize: number;
    comment?: string;
  };
  cache: Record<string, never>;
  timings: { blocked: -1; dns: -1; connect: -1; ssl: -1; send: number; wait: number; receive: number };
  serverIPAddress?: string;
  connection?: string;
  comment?: string;
  _exchangeId: string;
  _scope: string;
  _findings: Finding[];
  _analysis?: Analysis;
  _error?: Exchange['error'];
  _interruptedByShutdown?: boolean;
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    entries: HarEntry[];
    comment?: string;
  };
}

/** What a HAR entry is made from: a live ExchangeLogLine or a parsed log line. */
export interface HarSource {
  exchange: Exchange;
  findings?: Finding[];
  analysis?: Analysis;
  interruptedByShutdown?: boolean;
}

const NAME = 'appinsights-auth-proxy';

/** Our version from package.json (two levels up from src/sinks and from dist/sinks). */
function ownVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function harCreator(): Har['log']['creator'] {
  return { name: NAME, version: ownVersion() };
}

function harHttpVersion(version: string | undefined): string {
  if (!version) return 'HTTP/1.1';
  return version.toUpperCase().startsWith('HTTP/') ? version : `HTTP/${version}`;
}

function harHeaders(headers: HeaderMap | undefined): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) out.push({ name, value: String(v) });
  }
  return out;
}

function headerOf(headers: HeaderMap | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined || typeof value === 'string' ? value : value[0];
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function mimeOf(body: BodyCapture, headers: HeaderMap | undefined): string {
  return body.contentType ?? headerOf(headers, 'content-type') ?? '';
}

function truncationNote(body: BodyCapture): string | undefined {
  if (body.truncated || body.decodedTruncated) {
    return `body cut at the capture cap: ${body.captured} of ${body.size} bytes kept`;
  }
  if (body.decodeError) return `body could not be decoded: ${body.decodeError}`;
  if (body.omitted === 'repeated')
    return 'body not kept: a repeat of a failure the log already showed with its body';
  if (body.omitted === 'off') return 'body not kept: --log-bodies none';
  // Without a note, a HAR viewer shows an empty body for bytes that were sent.
  if (body.omitted === 'healthy')
    return 'body not kept: the log keeps bodies of failures only (--log-bodies all keeps every one)';
  if (body.omitted === 'sampled') return 'body not decoded: beyond the per-second decode budget';
  return undefined;
}

/** The kept body: decoded text, or base64 when binary; nothing when none was captured. */
function bodyText(body: BodyCapture): { text?: string; encoding?: 'base64' } {
  if (body.text !== undefined) return { text: body.text };
  if (body.base64 !== undefined) return { text: body.base64, encoding: 'base64' };
  return {};
}

function postData(exchange: Exchange): HarEntry['request']['postData'] {
  const { body, headers } = exchange.request;
  const kept = bodyText(body);
  if (body.size === 0 && kept.text === undefined) return undefined;
  const data: NonNullable<HarEntry['request']['postData']> = {
    mimeType: mimeOf(body, headers),
    text: kept.text ?? '',
  };
  // HAR 1.2 has no encoding for request bodies; the underscore field says how to read `text`.
  if (kept.encoding) data._encoding = kept.encoding;
  const note = truncationNote(body);
  if (note) data.comment = note;
  return data;
}

function response(exchange: Exchange): HarEntry['response'] {
  const res = exchange.response;
  if (!res) {
    // No answer (TLS refused, upstream down): HAR tools show status 0 as a failed request.
    return {
      status: 0,
      statusText: exchange.error?.kind ?? 'no response',
      httpVersion: harHttpVersion(exchange.request.httpVersion),
      cookies: [],
      headers: [],
      content: { size: 0, mimeType: '' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
      ...(exchange.error ? { comment: exchange.error.message } : {}),
    };
  }
  const body = res.body;
  const kept = bodyText(body);
  // HAR: size is the decoded length, compression the bytes gzip saved (known only when uncut).
  const content: HarEntry['response']['content'] = {
    size: body.decodedSize ?? body.size,
    mimeType: mimeOf(body, res.headers),
  };
  if (body.decodedSize !== undefined && !body.truncated && body.decodedSize >= body.size) {
    content.compression = body.decodedSize - body.size;
  }
  if (kept.text !== undefined) content.text = kept.text;
  if (kept.encoding) content.encoding = kept.encoding;
  const note = truncationNote(body);
  if (note) content.comment = note;
  return {
    status: res.status,
    statusText: res.reason ?? '',
    httpVersion: harHttpVersion(res.httpVersion),
    cookies: [],
    headers: harHeaders(res.headers),
    content,
    redirectURL: headerOf(res.headers, 'location') ?? '',
    headersSize: -1,
    bodySize: body.size,
  };
}

function serverIp(exchange: Exchange): string | undefined {
  const address = exchange.upstream?.address;
  if (!address || exchange.upstream?.viaProxy) return undefined;
  const host = address.startsWith('[')
    ? address.slice(1, address.indexOf(']'))
    : address.replace(/:\d+$/, '');
  return isIP(host) ? host : undefined;
}

function timings(exchange: Exchange): HarEntry['timings'] {
  const total = Math.max(0, exchange.timings.total ?? 0);
  const wait = Math.max(0, Math.min(total, exchange.timings.ttfb ?? total));
  return { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait, receive: total - wait };
}

export function harEntry(source: HarSource): HarEntry {
  const { exchange } = source;
  const request: HarEntry['request'] = {
    method: exchange.request.method,
    url: exchange.request.url,
    httpVersion: harHttpVersion(exchange.request.httpVersion),
    cookies: [],
    headers: harHeaders(exchange.request.headers),
    queryString: queryString(exchange.request.url),
    headersSize: -1,
    bodySize: exchange.request.body.size,
  };
  const data = postData(exchange);
  if (data) request.postData = data;
  if (exchange.request.authorization) request._authorization = exchange.request.authorization;
  const entry: HarEntry = {
    startedDateTime: exchange.startedAt,
    time: Math.max(0, exchange.timings.total ?? 0),
    request,
    response: response(exchange),
    cache: {},
    timings: timings(exchange),
    _exchangeId: exchange.id,
    _scope: exchange.scope,
    _findings: source.findings ?? [],
  };
  const ip = serverIp(exchange);
  if (ip) entry.serverIPAddress = ip;
  if (exchange.client?.port !== undefined) entry.connection = String(exchange.client.port);
  if (source.analysis) entry._analysis = source.analysis;
  if (exchange.error) entry._error = exchange.error;
  if (source.interruptedByShutdown) {
    entry._interruptedByShutdown = true;
    entry.comment = 'cut short: the proxy was stopping while this exchange was in flight';
  }
  return entry;
}

export function harFrom(sources: Iterable<HarSource>): Har {
  const entries = [...sources].map((s) => redactForOutput(harEntry(s)));
  return { log: { version: '1.2', creator: harCreator(), entries } };
}

/**
 * Streams a HAR document: the head, entries one by one, the tail. Lets `har` and `--har` write
 * any number of exchanges without holding them; the result is the same JSON as `harFrom`.
 */
export class HarText {
  private count = 0;
  /** Findings across exchanges (fired), kept for the log's `_findings` (bounded). */
  private readonly trafficFindings: Finding[] = [];

  traffic(findings: Finding[]): void {
    for (const f of findings) if (this.trafficFindings.length < 500) this.trafficFindings.push(f);
  }

  head(): string {
    return `{"log":{"version":"1.2","creator":${JSON.stringify(harCreator())},"entries":[\n`;
  }

  /** One entry's text; throws (and counts nothing) for a record no entry can be made of. */
  entry(source: HarSource): string {
    const text = escapeC1InJson(JSON.stringify(redactForOutput(harEntry(source))));
    return (this.count++ === 0 ? '' : ',\n') + text;
  }

  tail(comment?: string): string {
    // Findings read from a log are the log's text: masked like every entry.
    const traffic = this.trafficFindings.length
      ? `,"_findings":${escapeC1InJson(JSON.stringify(redactForOutput(this.trafficFindings)))}`
      : '';
    return `\n]${comment ? `,"comment":${JSON.stringify(comment)}` : ''}${traffic}}}\n`;
  }

  get entries(): number {
    return this.count;
  }
}
