import type { Exchange } from '../model/exchange';
import type { Analysis } from '../model/log-line';
import type { Runtime } from '../model/finding';
import { type BodyShape, type ParsedBody, asRecord, parseJsonBody } from './body';
import {
  ENTRA_KINDS,
  MANAGED_IDENTITY_KINDS,
  type RequestKind,
  TRACK_KINDS,
  classifyByPath,
  classifyRequest,
} from './classify';
import { type EnvelopeSummary, summarizeEnvelopes } from './envelopes';
import { headerValue } from './headers';
import { type IngestionResponse, parseIngestionResponse } from './ingestion-response';
import { maskGuidsInText } from './mask';
import { redactPath, redactText } from './redact';
import { type SdkId, detectSdk, runtimeOfSdk } from './sdk';
import { type TokenError, parseTokenError } from './token-error';

/** The Analysis of the log line, with the fields this module always fills typed precisely. */
export interface ExchangeAnalysis extends Analysis {
  kind: RequestKind;
  sdk: SdkId;
  /** Runtime whose fix steps apply (from the SDK), when known. */
  runtime?: Runtime;
  envelopes?: EnvelopeSummary;
  ingestionResponse?: IngestionResponse & { errorCount: number };
  tokenError?: TokenError;
  requestBody?: {
    shape: BodyShape;
    documents: number;
    invalidLines: number;
    truncated: boolean;
    contentType?: string;
    contentEncoding?: string;
    /** The capture could not decompress the body (bad gzip, ...). */
    decodeError?: string;
  };
  /** The service's own words on a failure: first per-item error, Message, or error_description. */
  serviceMessage?: string;
  /** Retry-After of a throttled answer, as sent. */
  retryAfter?: string;
  /** Redirect target (Location), query secrets masked. */
  location?: string;
}

const MAX_MESSAGE = 300;
/** Only this much of a token request body is searched for MSAL's SKU. */
const SKU_SEARCH_LIMIT = 4096;

function parsedRequestBody(exchange: Exchange, kind: RequestKind): ParsedBody | undefined {
  if (!TRACK_KINDS.includes(kind) && kind !== 'live-ping' && kind !== 'live-post') return undefined;
  // A healthy body beyond the decode budget was not decoded: say so rather than call it empty.
  if (exchange.request.body.omitted === 'sampled')
    return { shape: 'not-decoded', documents: [], invalidLines: 0 };
  return parseJsonBody(exchange.request.body.text);
}

function wantsResponseBody(kind: RequestKind, status: number): boolean {
  return TRACK_KINDS.includes(kind) || status >= 300;
}

function serviceMessageOf(
  parsed: ParsedBody,
  ingestion: ExchangeAnalysis['ingestionResponse'],
  tokenError: TokenError | undefined,
  text: string | undefined,
): string | undefined {
  const fromErrors = ingestion?.errors.find((e) => e.message)?.message;
  const record = asRecord(parsed.documents[0]);
  const fromRecord = [record?.Message, record?.message, record?.error]
    .map((v) => (typeof v === 'string' ? v : undefined))
    .find(Boolean);
  const candidate =
    fromErrors ??
    tokenError?.description ??
    fromRecord ??
    (parsed.shape === 'text' && text && text.length <= MAX_MESSAGE ? text.trim() : undefined);
  if (!candidate) return undefined;
  const masked = redactText(candidate.slice(0, MAX_MESSAGE));
  // Entra and managed identity texts name tenants and clients (not secrets); others may quote an iKey.
  return tokenError ? masked : maskGuidsInText(masked);
}

function msalSkuOf(exchange: Exchange): string | undefined {
  const header = headerValue(exchange.request.headers, 'x-client-sku');
  if (header) return header;
  const text = exchange.request.body.text;
  if (!text) return undefined;
  return /(?:^|&)x-client-sku=([^&]*)/i.exec(text.slice(0, SKU_SEARCH_LIMIT))?.[1];
}

/**
 * Decodes what an exchange means: its kind, the SDK that sent it, the envelopes it carried and
 * what the service or Entra answered. Pure; never throws; each body is parsed at most once.
 */
export function analyzeExchange(exchange: Exchange): ExchangeAnalysis {
  try {
    return analyze(exchange);
  } catch {
    // A record we do not understand must still be logged: analysis is best effort.
    return { kind: 'other', sdk: 'unknown' };
  }
}

function analyze(exchange: Exchange): ExchangeAnalysis {
  const { request, response } = exchange;
  // Path first: the request body is parsed only when the path says it is telemetry.
  const preliminaryKind = classifyByPath(exchange);
  const requestParsed = parsedRequestBody(exchange, preliminaryKind);
  const envelopes =
    requestParsed && TRACK_KINDS.includes(preliminaryKind)
      ? summarizeEnvelopes(requestParsed.documents)
      : undefined;
  const kind = envelopes ? classifyRequest(exchange, envelopes) : preliminaryKind;

  const analysis: ExchangeAnalysis = { kind, sdk: 'unknown' };
  if (requestParsed) {
    analysis.requestBody = {
      shape: requestParsed.shape,
      documents: requestParsed.documents.length,
      invalidLines: requestParsed.invalidLines,
      truncated: Boolean(request.body.truncated || request.body.decodedTruncated),
    };
    const contentType = headerValue(request.headers, 'content-type') ?? request.body.contentType;
    const contentEncoding = headerValue(request.headers, 'content-encoding') ?? request.body.contentEncoding;
    if (contentType) analysis.requestBody.contentType = contentType;
    if (contentEncoding) analysis.requestBody.contentEncoding = contentEncoding;
    if (request.body.decodeError) analysis.requestBody.decodeError = request.body.decodeError.slice(0, 200);
  }
  if (envelopes && envelopes.count > 0) analysis.envelopes = envelopes;

  if (response && wantsResponseBody(kind, response.status)) {
    const parsed = parseJsonBody(response.body.text);
    const ingestion = TRACK_KINDS.includes(kind) ? parseIngestionResponse(parsed.documents[0]) : undefined;
    if (ingestion) analysis.ingestionResponse = ingestion;
    const tokenEndpoint = ENTRA_KINDS.includes(kind) || MANAGED_IDENTITY_KINDS.includes(kind);
    const tokenError =
      response.status >= 400 && tokenEndpoint ? parseTokenError(parsed.documents[0]) : undefined;
    if (tokenError) analysis.tokenError = tokenError;
    if (response.status >= 300) {
      const message = serviceMessageOf(parsed, ingestion, tokenError, response.body.text);
      if (message) analysis.serviceMessage = message;
    }
  }
  if (response) {
    const retryAfter = headerValue(response.headers, 'retry-after');
    if (retryAfter) analysis.retryAfter = retryAfter;
    const location = headerValue(response.headers, 'location');
    if (location && response.status >= 300 && response.status < 400) analysis.location = redactPath(location);
  }

  analysis.sdk = detectSdk({
    userAgent: headerValue(request.headers, 'user-agent'),
    sdkVersions: envelopes?.sdkVersions,
    msalSku: kind === 'token' ? msalSkuOf(exchange) : headerValue(request.headers, 'x-client-sku'),
    bodyShape: requestParsed?.shape,
    contentType: headerValue(request.headers, 'content-type') ?? request.body.contentType,
    contentEncoding: headerValue(request.headers, 'content-encoding') ?? request.body.contentEncoding,
  });
  const runtime = runtimeOfSdk(analysis.sdk);
  if (runtime) analysis.runtime = runtime;
  return analysis;
}
