import { randomUUID } from 'node:crypto';
import { isKnownIkey } from './envelope-validation';
import type { FakeRequest, FakeResponse } from './exchange-types';
import { jsonResponse, reasonOf } from './responses';
import { envelopeRulesOf, tokenRulesOf, type IngestionSettings } from './settings';
import { checkToken } from './token-check';
import type { TokenSigningKey } from './token-minting';

const LIVE_PATH = /^\/+QuickPulseService\.svc\/(ping|post)\/?$/i;

export function isLiveMetricsPath(path: string): boolean {
  return LIVE_PATH.test(path);
}

/** The live metrics error body seen in a real 401 (azure-sdk-for-python#48251). */
function liveError(status: number, message: string, verdict: string): FakeResponse {
  const body = { RequestId: randomUUID(), Code: 'InvalidOperation', Message: message, Exception: '' };
  return jsonResponse('live-metrics', status, body, verdict);
}

const NO_PERMISSION = 'The Agent/SDK does not have permissions to send telemetry to this resource.';

/** POST /QuickPulseService.svc/ping|post?ikey=…: live metrics (QuickPulse). */
export function handleLiveMetrics(
  req: FakeRequest,
  settings: IngestionSettings,
  signingKey?: TokenSigningKey,
): FakeResponse {
  const operation = (LIVE_PATH.exec(req.path)?.[1] ?? 'ping').toLowerCase();
  const bodySummary = {
    bytes: req.body.length,
    operation,
    apiVersion: req.query.get('api-version') ?? undefined,
  };
  if (req.method !== 'POST')
    return { ...liveError(405, reasonOf(405), `${req.method} on live metrics`), bodySummary };
  const ikey = req.query.get('ikey') ?? req.query.get('iKey') ?? '';
  if (!isKnownIkey(ikey, envelopeRulesOf(settings))) {
    // Wording is ours: the real answer to an unknown key was not captured.
    return { ...liveError(400, 'Invalid instrumentation key', 'unknown instrumentation key'), bodySummary };
  }
  const verdict = checkToken(req.headers, tokenRulesOf(settings, signingKey));
  if (verdict.kind === 'none' && settings.auth === 'entra-only') {
    return {
      ...liveError(401, NO_PERMISSION, 'no Authorization header and local auth is disabled'),
      bodySummary,
    };
  }
  if (verdict.kind === 'invalid') return { ...liveError(401, NO_PERMISSION, verdict.why), bodySummary };
  if (verdict.kind === 'forbidden') return { ...liveError(403, NO_PERMISSION, verdict.why), bodySummary };
  const headers = {
    'x-ms-qps-subscribed': String(settings.liveSubscribed),
    'x-ms-qps-configuration-etag': req.headers['x-ms-qps-configuration-etag'] ?? '',
    'x-ms-qps-service-polling-interval-hint': '5000',
    Server: 'Microsoft-HTTPAPI/2.0',
  };
  // The 2024-04-01-preview API answers with a collection configuration; the classic one with nothing.
  const hasApiVersion = req.query.has('api-version');
  const body = hasApiVersion ? { ETag: '', Metrics: [], DocumentStreams: [], QuotaInfo: null } : undefined;
  const response = jsonResponse('live-metrics', 200, body ?? {}, `live metrics ${operation} accepted`, {
    headers,
  });
  return { ...response, body: body ? response.body : '', bodySummary };
}
