import { randomUUID } from 'node:crypto';
import type { Exchange, ExchangeDraft, HeaderMap, Scope } from '../model/exchange';
import { summarizeAuthorization } from '../ingestion/jwt';
import { redactPath, redactText, SECRET_HEADERS } from '../ingestion/redact';

/** What the check saw of one HTTP exchange it made (or its identity library made). */
export interface SeenExchange {
  scope: Scope;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  start: number;
  status?: number;
  reason?: string;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  error?: string;
}

function safeHeaders(headers: Record<string, string>): HeaderMap {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name.toLowerCase()] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}

const bodyOf = (text: string | undefined, contentType?: string) => {
  const size = text === undefined ? 0 : Buffer.byteLength(text);
  const capture = { size, captured: size, truncated: false, ...(contentType ? { contentType } : {}) };
  return text === undefined ? capture : { ...capture, text: redactText(text) };
};

/**
 * The Exchange record of what the check sent and got, built with the proxy's own redaction
 * (the Authorization header becomes its claims and fingerprint, secrets in bodies are masked),
 * so that the proxy's diagnosis can read it.
 */
export function exchangeOf(seen: SeenExchange): Exchange {
  const url = new URL(seen.url);
  const lower = Object.fromEntries(Object.entries(seen.requestHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  const authorization = lower.authorization ? summarizeAuthorization(lower.authorization) : undefined;
  const path = redactPath(`${url.pathname}${url.search}`);
  const exchange: ExchangeDraft = {
    id: `check-${randomUUID().slice(0, 8)}`,
    startedAt: new Date(seen.start).toISOString(),
    client: { address: '127.0.0.1' },
    scope: seen.scope,
    request: {
      method: seen.method,
      url: `${url.protocol}//${url.host}${path}`,
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
      path,
      httpVersion: '1.1',
      headers: safeHeaders(seen.requestHeaders),
      ...(authorization ? { authorization } : {}),
      body: bodyOf(seen.requestBody, lower['content-type']),
    },
    timings: { start: seen.start },
  };
  if (seen.status !== undefined) {
    const headers = seen.responseHeaders ?? {};
    exchange.response = {
      status: seen.status,
      reason: seen.reason ?? '',
      httpVersion: '1.1',
      headers: safeHeaders(headers),
      body: bodyOf(seen.responseBody, headers['content-type']),
    };
  }
  if (seen.error) exchange.error = { kind: 'UPSTREAM_FAILED', message: seen.error };
  return exchange;
}
