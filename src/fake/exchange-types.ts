import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A request as the fake handlers see it: already read in full. */
export interface FakeRequest {
  method: string;
  /** Host header (or SNI name) without the port, lower-case. */
  host: string;
  /** Path as sent (may start with `//`), without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The listener that took it: TLS or the plain-HTTP IMDS one. */
  secure: boolean;
}

/** What the fake decided about a request: the answer plus what to log about it. */
export interface FakeResponse {
  status: number;
  reason: string;
  headers: OutgoingHttpHeaders;
  body: string | Buffer;
  /** Wait this long before answering (the `slow` scenario). */
  delayMs?: number;
  /** Which fake answered: ingestion, live-metrics, entra, identity, control. */
  service: string;
  /** Why the fake answered so, in a few words (for the log, never for the client). */
  verdict: string;
  /** Summary of the request body (never secrets, never full instrumentation keys). */
  bodySummary?: Record<string, unknown>;
}
