import { randomUUID } from 'node:crypto';
import type { FakeResponse } from './exchange-types';
import { jsonResponse } from './responses';

/** The Entra errors the fake can answer, with the status and `error` value seen in real captures. */
export const AADSTS = {
  700016: { status: 400, error: 'unauthorized_client' },
  7000215: { status: 401, error: 'invalid_client' },
  7000222: { status: 401, error: 'invalid_client' },
  7000218: { status: 401, error: 'invalid_client' },
  90002: { status: 400, error: 'invalid_request' },
  500011: { status: 400, error: 'invalid_resource' },
  1002012: { status: 400, error: 'invalid_scope' },
  70003: { status: 400, error: 'unsupported_grant_type' },
  900144: { status: 400, error: 'invalid_request' },
} as const;

export type AadstsCode = keyof typeof AADSTS;

/** `yyyy-MM-dd HH:mm:ssZ`, the timestamp format of Entra errors. */
function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export interface AadstsDetails {
  clientId?: string;
  tenant?: string;
  scope?: string;
  resource?: string;
  parameter?: string;
  grantType?: string;
}

/** First sentence(s) of `error_description`, from real captures (facts §5.1). */
export function aadstsMessage(code: AadstsCode, d: AadstsDetails): string {
  switch (code) {
    case 700016:
      return `AADSTS700016: Application with identifier '${d.clientId}' was not found in the directory '${d.tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`;
    case 7000215:
      return `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${d.clientId}'.`;
    case 7000222:
      return `AADSTS7000222: The provided client secret keys for app '${d.clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`;
    case 7000218:
      return `AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`;
    case 90002:
      return `AADSTS90002: Tenant '${d.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;
    case 500011:
      return `AADSTS500011: The resource principal named ${d.resource} was not found in the tenant named ${d.tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`;
    case 1002012:
      return `AADSTS1002012: The provided value for scope ${d.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`;
    case 70003:
      return `AADSTS70003: The app requested an unsupported grant type '${d.grantType}'.`;
    case 900144:
      return `AADSTS900144: The request body must contain the following parameter: '${d.parameter}'.`;
  }
}

/**
 * An Entra error answer with the real shape: error, error_description (with the trace lines),
 * error_codes, timestamp, trace_id, correlation_id, error_uri.
 */
export function aadstsResponse(
  code: AadstsCode,
  details: AadstsDetails,
  options: { correlationId?: string; error?: string; now?: Date } = {},
): FakeResponse {
  const now = options.now ?? new Date();
  const traceId = randomUUID();
  const correlationId = options.correlationId ?? randomUUID();
  const timestamp = entraTimestamp(now);
  const { status, error } = AADSTS[code];
  const body = {
    error: options.error ?? error,
    error_description: `${aadstsMessage(code, details)}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
  return jsonResponse('entra', status, body, `AADSTS${code}`, { headers: entraHeaders(traceId) });
}

/** Headers every login.microsoftonline.com answer carries. */
export function entraHeaders(requestId: string = randomUUID()): Record<string, string> {
  return {
    'Cache-Control': 'no-store, no-cache',
    Pragma: 'no-cache',
    'x-ms-request-id': requestId,
    'x-ms-ests-server': '2.1.0 - fake',
    'X-Content-Type-Options': 'nosniff',
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  };
}
