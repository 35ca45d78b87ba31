/**
 * The one record of an exchange (mitmproxy's flow, in our terms). Plain, immutable,
 * JSON-serialisable, and already redacted: no bearer token, client secret or full
 * instrumentation key ever enters it, so every sink can write it as it is.
 */

/** What the proxy decided about a host before any byte of the request was read. */
export type Scope = 'ingestion' | 'live-metrics' | 'token' | 'managed-identity' | 'other';

/** Header names (lower case) to values; read-only, as every consumer only looks. */
export type HeaderMap = { readonly [name: string]: string | readonly string[] };

/** Non-secret claims of a JWT, decoded without verification. */
export interface JwtClaims {
  aud?: string | readonly string[];
  iss?: string;
  tid?: string;
  appid?: string;
  azp?: string;
  oid?: string;
  sub?: string;
  idtyp?: string;
  ver?: string;
  roles?: readonly string[];
  scp?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
}

export interface JwtSummary {
  header: { alg?: string; kid?: string; typ?: string; x5t?: string };
  claims: JwtClaims;
}

/** What we keep of an `Authorization` header: never the value itself. */
export interface AuthorizationSummary {
  scheme: string;
  /** First 12 hex of the SHA-256 of the whole header value: tells tokens apart, reveals nothing. */
  fingerprint: string;
  /** Length of the credential after the scheme. */
  length: number;
  jwt?: JwtSummary;
  /** Why the credential is not a decodable JWT (only for Bearer). */
  malformed?: string;
}

export interface BodyCapture {
  /** Bytes that crossed the proxy (as forwarded, before any decompression). */
  size: number;
  contentType?: string;
  contentEncoding?: string;
  /** Bytes of the wire body that were kept (at most --max-capture-bytes). */
  captured: number;
  /** The wire body was larger than what was kept. */
  truncated: boolean;
  /** Size after decompression (of the kept part), capped too. */
  decodedSize?: number;
  decodedTruncated?: boolean;
  /** Decompression failed (bad gzip, ...): the relay was not affected. */
  decodeError?: string;
  /** Decoded body as text when it looks like text; secrets and instrumentation keys masked. */
  text?: string;
  /** Decoded body as base64 when it is binary. */
  base64?: string;
  /**
   * Why `text`/`base64` are absent although bytes were captured: 'sampled' (a healthy exchange
   * beyond the per-second decode budget), 'healthy' (the log keeps bodies of failures only),
   * 'off' (`--log-bodies none`: no exchange keeps its body) or 'repeated' (one more failure of a
   * kind the log already showed several times this minute).
   */
  omitted?: 'sampled' | 'healthy' | 'off' | 'repeated';
}

export interface RequestRecord {
  method: string;
  /** Full URL as the client meant it, e.g. https://host/v2.1/track (query secrets masked). */
  url: string;
  host: string;
  port: number;
  /** Path and query (query secrets masked). */
  path: string;
  httpVersion: string;
  headers: HeaderMap;
  authorization?: AuthorizationSummary;
  body: BodyCapture;
}

export interface ResponseRecord {
  status: number;
  reason: string;
  httpVersion: string;
  headers: HeaderMap;
  body: BodyCapture;
}

export type ExchangeErrorKind =
  | 'CLIENT_TLS_REJECTED'
  | 'CLIENT_TLS_FAILED'
  | 'CLIENT_ABORTED'
  | 'UPSTREAM_REFUSED'
  | 'UPSTREAM_RESET'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_TLS_FAILED'
  | 'UPSTREAM_DNS_FAILED'
  | 'UPSTREAM_PROXY_FAILED'
  | 'UPSTREAM_FAILED'
  | 'BAD_REQUEST';

export interface ExchangeError {
  kind: ExchangeErrorKind;
  message: string;
  /** Node/OpenSSL error code when there was one (ECONNREFUSED, CERT_HAS_EXPIRED, ...). */
  code?: string;
  /** TLS alert the client sent, for CLIENT_TLS_* (e.g. "unknown ca", "certificate unknown"). */
  alert?: string;
}

export interface Timings {
  /** Epoch milliseconds when the request line arrived (or the TLS handshake began, for handshake errors). */
  start: number;
  /** Milliseconds from start to the upstream's response headers. */
  ttfb?: number;
  /** Milliseconds from start to the last byte to the client (or to the failure). */
  total?: number;
}

/** What builders fill in (the capture, fixtures, `check`); consumers get the readonly `Exchange`. */
export interface ExchangeDraft {
  id: string;
  /** ISO-8601 time of `timings.start`. */
  startedAt: string;
  client: { address: string; port?: number };
  /** The CONNECT that opened the tunnel, when there was one. */
  connect?: { target: string; httpVersion: string };
  scope: Scope;
  request: RequestRecord;
  response?: ResponseRecord;
  timings: Timings;
  error?: ExchangeError;
  /** Where the proxy sent it (differs from the host with --resolve or an upstream proxy). */
  upstream?: { address: string; viaProxy?: string };
}

/** Readonly all the way down: objects, arrays and nested records. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A finished exchange: sinks, rules and readers may look, never change. */
export type Exchange = DeepReadonly<ExchangeDraft>;
