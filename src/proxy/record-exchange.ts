import { summarizeAuthorization } from '../ingestion/jwt';
import { redactPath, SECRET_HEADERS } from '../ingestion/redact';
import type { BodyCapture, Exchange, ExchangeDraft, HeaderMap } from '../model/exchange';
import { formatHostPort } from './connect-target';
import { describeBody } from './decode-body';
import type { RecordedHeaders } from './headers-as-sent';
import type { LiveExchange } from './live-exchange';

function redactHeaders(headers: RecordedHeaders): HeaderMap {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || !Object.hasOwn(headers, name)) continue;
    out[name] = SECRET_HEADERS.has(name) ? redacted(name, value) : value;
  }
  return out;
}

/** A secret header's value hidden; two Authorization lines stay two (Set-Cookie stays one). */
function redacted(name: string, value: string | string[]): string | string[] {
  return Array.isArray(value) && name !== 'set-cookie' ? value.map(() => '[redacted]') : '[redacted]';
}

const EMPTY_BODY: BodyCapture = { size: 0, captured: 0, truncated: false };

/** Sizes and types only: a healthy body the decode budget skipped. */
function undecodedBody(headers: HeaderMap, size: number, kept: number): BodyCapture {
  const body: BodyCapture = { size, captured: kept, truncated: size > kept };
  const type = headers['content-type'];
  const encoding = headers['content-encoding'];
  if (typeof type === 'string') body.contentType = type;
  if (typeof encoding === 'string') body.contentEncoding = encoding;
  if (kept > 0) body.omitted = 'sampled';
  return body;
}

function defaultPort(scheme: string, port: number): boolean {
  return (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80);
}

/**
 * Turns the relay's notes into the immutable, redacted Exchange record. Runs after the exchange,
 * off the relay's path: decompression and decoding happen here, never while bytes flow.
 */
export async function recordExchange(
  live: LiveExchange,
  maxCaptureBytes: number,
  options: { decodeRequestBody: boolean } = { decodeRequestBody: true },
): Promise<Exchange> {
  const path = redactPath(live.path);
  const hostPort = defaultPort(live.scheme, live.target.port)
    ? live.target.host
    : formatHostPort(live.target);
  // A request with two Authorization lines: the first is the one summarised (both are listed).
  const authorization = live.requestHeaders.authorization;
  const auth = Array.isArray(authorization) ? authorization[0] : authorization;
  const [requestBody, responseBody] = await Promise.all([
    live.requestBody
      ? options.decodeRequestBody
        ? describeBody(
            live.requestHeaders as HeaderMap,
            live.requestBody.size,
            live.requestBody.bytes(),
            maxCaptureBytes,
          )
        : undecodedBody(live.requestHeaders as HeaderMap, live.requestBody.size, live.requestBody.kept)
      : EMPTY_BODY,
    live.response && live.responseBody
      ? describeBody(
          live.response.headers as HeaderMap,
          live.responseBody.size,
          live.responseBody.bytes(),
          maxCaptureBytes,
        )
      : EMPTY_BODY,
  ]);
  const exchange: ExchangeDraft = {
    id: live.id,
    startedAt: new Date(live.start).toISOString(),
    client: live.client,
    scope: live.scope,
    request: {
      method: live.method,
      url: `${live.scheme}://${hostPort}${path}`,
      host: live.target.host,
      port: live.target.port,
      path,
      httpVersion: live.httpVersion,
      headers: redactHeaders(live.requestHeaders),
      body: requestBody,
    },
    timings: { start: live.start },
  };
  if (live.connect) exchange.connect = live.connect;
  if (typeof auth === 'string') exchange.request.authorization = summarizeAuthorization(auth);
  if (live.response) {
    exchange.response = {
      status: live.response.status,
      reason: live.response.reason,
      httpVersion: live.response.httpVersion,
      headers: redactHeaders(live.response.headers),
      body: responseBody,
    };
    exchange.timings.ttfb = live.response.at - live.start;
  }
  if (live.end !== undefined) exchange.timings.total = live.end - live.start;
  if (live.error) exchange.error = live.error;
  if (live.upstream) exchange.upstream = live.upstream;
  return exchange;
}

/** The log line's message: `POST host/v2.1/track → 401 Unauthorized`. */
export function exchangeHeadline(exchange: Exchange): string {
  const { request, response, error } = exchange;
  const where = `${request.host}${request.port === 443 || request.port === 80 ? '' : `:${request.port}`}${request.path}`;
  const outcome = response
    ? `${response.status} ${response.reason}`.trim()
    : error
      ? `${error.kind}${error.alert ? ` (${error.alert})` : ''}`
      : 'no response';
  return `${request.method} ${where} → ${outcome}`;
}
