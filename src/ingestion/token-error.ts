import { asRecord } from './body';

import type { TokenError } from '../model/log-line';

export type { TokenError };

const AADSTS = /AADSTS(\d{4,8})/;
const MAX_DESCRIPTION = 400;

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * Reads Entra's `{error, error_description, error_codes, trace_id, correlation_id}`, IMDS's
 * `{error, error_description}` and App Service's `{statusCode, message}`. Undefined otherwise.
 */
export function parseTokenError(document: unknown): TokenError | undefined {
  const body = asRecord(document);
  if (!body) return undefined;
  const error = str(body.error);
  const rawDescription = str(body.error_description) ?? str(body.message);
  if (!error && !rawDescription) return undefined;
  if (!error && body.access_token !== undefined) return undefined;
  const result: TokenError = {};
  if (error) result.error = error;
  if (Array.isArray(body.error_codes)) {
    const codes = body.error_codes.filter((c): c is number => typeof c === 'number');
    if (codes.length) result.errorCodes = codes;
  }
  const fromCodes = result.errorCodes?.[0];
  const fromText = rawDescription ? AADSTS.exec(rawDescription)?.[1] : undefined;
  const code = fromCodes !== undefined ? String(fromCodes) : fromText;
  if (code) result.aadsts = `AADSTS${code}`;
  if (rawDescription) {
    // Entra appends "Trace ID / Correlation ID / Timestamp" lines: they live in their own fields.
    result.description = (rawDescription.split(/\r?\n/)[0] ?? '').slice(0, MAX_DESCRIPTION);
  }
  const traceId =
    str(body.trace_id) ??
    (rawDescription ? /Trace ID: ([0-9a-f-]{36})/i.exec(rawDescription)?.[1] : undefined);
  const correlationId =
    str(body.correlation_id) ??
    (rawDescription ? /Correlation ID: ([0-9a-f-]{36})/i.exec(rawDescription)?.[1] : undefined);
  if (traceId) result.traceId = traceId;
  if (correlationId) result.correlationId = correlationId;
  return result;
}
