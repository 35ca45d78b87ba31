import { decodeContent, parseTelemetry, type ParsedTelemetry } from './body-decoding';
import { MESSAGE_SAMPLED_OUT } from './defaults';
import { ikeyOf, normalizeIkey, validateEnvelope, type ItemError } from './envelope-validation';
import type { FakeRequest, FakeResponse } from './exchange-types';
import { ingestionHeaders, reasonOf } from './responses';
import { redirectLocationOf, type Scenario } from './scenarios';
import { envelopeRulesOf, STATSBEAT_IKEY_SET, tokenRulesOf, type IngestionSettings } from './settings';
import { summarizeTelemetry, type TelemetrySummary } from './telemetry-summary';
import { checkToken } from './token-check';
import type { TokenSigningKey } from './token-minting';

/** `/v2/track`, `/v2.1/track` and `//v2.1/track` (Python with a trailing slash in the endpoint). */
const TRACK_PATH = /^\/+v2(\.1)?\/track\/?$/i;

export function isTrackPath(path: string): boolean {
  return TRACK_PATH.test(path);
}

/** The service's answer body: `{"itemsReceived","itemsAccepted","appId","errors"}`. */
export interface TrackResponseBody {
  itemsReceived: number;
  itemsAccepted: number;
  appId: string | null;
  errors: ItemError[];
}

export interface TrackContext {
  settings: IngestionSettings;
  scenario: Scenario;
  signingKey?: TokenSigningKey;
}

function trackResponse(
  status: number,
  reason: string,
  body: TrackResponseBody,
  verdict: string,
  summary: TelemetrySummary,
): FakeResponse {
  return {
    service: 'ingestion',
    status,
    reason,
    headers: ingestionHeaders(),
    body: JSON.stringify(body),
    verdict,
    bodySummary: { ...summary },
  };
}

/** Every item fails with the same status (auth, throttling, outages): one error per item, at least one. */
function allFailed(received: number, statusCode: number, message: string): TrackResponseBody {
  const count = Math.max(received, 1);
  const errors = Array.from({ length: count }, (_v, index) => ({ index, statusCode, message }));
  return { itemsReceived: received, itemsAccepted: 0, appId: null, errors };
}

function readTelemetry(req: FakeRequest): { parsed: ParsedTelemetry; summary: TelemetrySummary } {
  const summary: TelemetrySummary = { bytes: req.body.length };
  const contentType = req.headers['content-type'];
  const contentEncoding = req.headers['content-encoding'];
  if (contentType) summary.contentType = contentType;
  if (typeof contentEncoding === 'string') summary.contentEncoding = contentEncoding;
  const decoded = decodeContent(req.body, typeof contentEncoding === 'string' ? contentEncoding : undefined);
  if (!decoded.ok)
    return {
      parsed: { ok: false, message: decoded.message },
      summary: { ...summary, error: decoded.message },
    };
  summary.decodedBytes = decoded.bytes.length;
  const parsed = parseTelemetry(decoded.bytes);
  if (!parsed.ok) return { parsed, summary: { ...summary, error: parsed.message } };
  return { parsed, summary: { ...summary, format: parsed.format, ...summarizeTelemetry(parsed.items) } };
}

/** Answers scenarios the front door plays before looking at credentials or data. */
function frontDoor(req: FakeRequest, received: number, scenario: Scenario, summary: TelemetrySummary) {
  switch (scenario.name) {
    case 'redirect': {
      const location = redirectLocationOf(scenario);
      // Do not redirect the redirected request again: clients follow at most 10 hops.
      if (new URL(location).hostname.toLowerCase() === req.host) return undefined;
      const response = trackResponse(
        308,
        'Permanent Redirect',
        allFailed(received, 308, 'Redirect'),
        'scenario redirect',
        summary,
      );
      return { ...response, body: '', headers: { ...response.headers, Location: location } };
    }
    case 'throttle': {
      const response = trackResponse(
        429,
        'Too Many Requests',
        allFailed(received, 429, 'Too many requests'),
        'scenario throttle',
        summary,
      );
      response.headers['Retry-After'] = String(scenario.retryAfterSeconds ?? 10);
      return response;
    }
    case 'quota':
      // 439 has no standard reason phrase; ours (and the message) follow what the Java SDK logs for it.
      return trackResponse(
        439,
        'Too Many Requests Over Extended Time',
        allFailed(received, 439, 'Daily quota exceeded and throttled over extended time'),
        'scenario quota',
        summary,
      );
    case 'error500':
      return trackResponse(
        500,
        reasonOf(500),
        allFailed(received, 500, 'Internal Server Error'),
        'scenario error500',
        summary,
      );
    case 'error503': {
      const response = trackResponse(
        503,
        reasonOf(503),
        allFailed(received, 503, 'Service Unavailable'),
        'scenario error503',
        summary,
      );
      if (scenario.retryAfterSeconds !== undefined)
        response.headers['Retry-After'] = String(scenario.retryAfterSeconds);
      return response;
    }
    default:
      return undefined;
  }
}

function isStatsbeatOnly(parsed: ParsedTelemetry): boolean {
  if (!parsed.ok || parsed.items.length === 0) return false;
  return parsed.items.every((item) => {
    const ikey = ikeyOf(item);
    return ikey !== undefined && STATSBEAT_IKEY_SET.has(normalizeIkey(ikey));
  });
}

/** Decides 400 (v2 on Entra-only), 401 or 403 the way the service does; undefined lets the request in. */
function authGate(req: FakeRequest, ctx: TrackContext, received: number, summary: TelemetrySummary) {
  const { settings } = ctx;
  const isV2 = !/v2\.1/i.test(req.path);
  if (isV2 && settings.auth === 'entra-only') {
    return trackResponse(
      settings.v2Status,
      settings.v2Reason,
      allFailed(received, settings.v2Status, settings.v2Reason),
      'v2/track does not support Entra ID and local auth is disabled',
      summary,
    );
  }
  if (isV2) return undefined; // v2 never looks at tokens; local auth lets it in
  const verdict = checkToken(req.headers, tokenRulesOf(settings, ctx.signingKey));
  const unauthorized = (why: string) =>
    trackResponse(401, settings.reason401, allFailed(received, 401, settings.message401), why, summary);
  if (verdict.kind === 'none')
    return settings.auth === 'entra-only'
      ? unauthorized('no Authorization header and local auth is disabled')
      : undefined;
  if (verdict.kind === 'invalid') return unauthorized(verdict.why);
  if (verdict.kind === 'forbidden') {
    return trackResponse(
      403,
      settings.reason403,
      allFailed(received, 403, settings.message403),
      verdict.why,
      summary,
    );
  }
  return undefined;
}

/** Validates each item; the `sample` scenario drops every other accepted item (the first one included). */
function judgeItems(parsed: Extract<ParsedTelemetry, { ok: true }>, ctx: TrackContext) {
  const rules = envelopeRulesOf(ctx.settings);
  const errors: ItemError[] = [];
  let accepted = 0;
  let sampled = 0;
  parsed.items.forEach((item, index) => {
    const error = validateEnvelope(item, index, rules);
    if (error) errors.push(error);
    else if (ctx.scenario.name === 'sample' && (accepted + sampled) % 2 === 0) {
      sampled += 1;
      errors.push({ index, statusCode: 206, message: MESSAGE_SAMPLED_OUT });
    } else accepted += 1;
  });
  return { errors, accepted, sampled };
}

/** POST /v2/track, /v2.1/track: the ingestion service. */
export function handleTrack(req: FakeRequest, ctx: TrackContext): FakeResponse {
  const { parsed, summary } = readTelemetry(req);
  if (req.method !== 'POST') {
    return trackResponse(
      405,
      reasonOf(405),
      allFailed(0, 405, 'Only POST is supported'),
      `${req.method} on a track path`,
      summary,
    );
  }
  const received = parsed.ok ? parsed.items.length : 0;
  const played = frontDoor(req, received, ctx.scenario, summary);
  if (played) return played;
  const statsbeat = isStatsbeatOnly(parsed);
  const denied = statsbeat ? undefined : authGate(req, ctx, received, summary);
  if (denied) return denied;
  if (!parsed.ok) {
    return trackResponse(
      400,
      reasonOf(400),
      allFailed(0, 400, parsed.message),
      `unreadable body: ${parsed.message}`,
      summary,
    );
  }
  const { errors, accepted, sampled } = judgeItems(parsed, ctx);
  const body: TrackResponseBody = { itemsReceived: received, itemsAccepted: accepted, appId: null, errors };
  const delayMs = ctx.scenario.name === 'slow' ? (ctx.scenario.delayMs ?? 5000) : undefined;
  const who = statsbeat ? 'statsbeat (accepted without a token)' : 'telemetry';
  let response: FakeResponse;
  if (errors.length === 0)
    response = trackResponse(200, reasonOf(200), body, `${who}: all ${accepted} accepted`, summary);
  else if (accepted === 0 && sampled === 0)
    response = trackResponse(400, reasonOf(400), body, `${who}: every item rejected`, summary);
  else {
    const reason = sampled > 0 ? MESSAGE_SAMPLED_OUT : reasonOf(206);
    response = trackResponse(
      206,
      reason,
      body,
      `${who}: ${accepted} accepted, ${sampled} sampled out, ${errors.length - sampled} rejected`,
      summary,
    );
  }
  return delayMs === undefined ? response : { ...response, delayMs };
}
