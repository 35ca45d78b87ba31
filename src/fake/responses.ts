import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { FakeResponse } from './exchange-types';

/** Headers the ingestion front door (HTTP.sys) puts on every answer. */
export function ingestionHeaders(): OutgoingHttpHeaders {
  return {
    'Content-Type': 'application/json; charset=utf-8',
    Server: 'Microsoft-HTTPAPI/2.0',
    'Strict-Transport-Security': 'max-age=31536000',
    'X-Content-Type-Options': 'nosniff',
    'x-ms-request-id': randomUUID(),
  };
}

export function reasonOf(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

export function jsonResponse(
  service: string,
  status: number,
  body: unknown,
  verdict: string,
  extra: { reason?: string; headers?: OutgoingHttpHeaders } = {},
): FakeResponse {
  return {
    service,
    status,
    reason: extra.reason ?? reasonOf(status),
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...extra.headers },
    body: JSON.stringify(body),
    verdict,
  };
}

export function textResponse(service: string, status: number, text: string, verdict: string): FakeResponse {
  return {
    service,
    status,
    reason: reasonOf(status),
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    body: text,
    verdict,
  };
}
