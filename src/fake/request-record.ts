import type { IncomingHttpHeaders } from 'node:http';
import { summarizeAuthorization } from '../ingestion/jwt';
import { isSecretHeader, redactPath } from '../ingestion/redact';
import { redactForOutput } from '../ingestion/redact-output';
import type { AuthorizationSummary } from '../model/exchange';
import type { FakeRequest, FakeResponse } from './exchange-types';

/** What the fake keeps (and logs) of one request: what the SDK sent and what it was told, masked. */
export interface ReceivedRequest {
  seq: number;
  time: string;
  service: string;
  method: string;
  host: string;
  /** Path and query with secrets and instrumentation keys masked. */
  path: string;
  headers: Record<string, string | string[]>;
  /** The Authorization header as its decoded, non-secret claims. */
  authorization?: AuthorizationSummary;
  body?: Record<string, unknown>;
  status: number;
  reason: string;
  /** Why the fake answered so. */
  verdict: string;
}

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = isSecretHeader(name) ? '[redacted]' : value;
  }
  return out;
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export function recordOf(seq: number, req: FakeRequest, res: FakeResponse): ReceivedRequest {
  const query = req.query.toString();
  const record: ReceivedRequest = {
    seq,
    time: new Date().toISOString(),
    service: res.service,
    method: req.method,
    host: req.host,
    path: redactPath(query ? `${req.path}?${query}` : req.path),
    headers: redactHeaders(req.headers),
    status: res.status,
    reason: res.reason,
    verdict: res.verdict,
  };
  const authorization = req.headers.authorization;
  if (authorization) record.authorization = summarizeAuthorization(authorization);
  if (res.bodySummary) record.body = withoutUndefined(res.bodySummary);
  // The same masking as every output of the proxy: a secret under any name, in any header value.
  return redactForOutput(record);
}
