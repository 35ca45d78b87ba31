import type { Exchange } from './exchange';
import type { Finding } from './finding';

/** One per-item error of an ingestion response. */
export interface IngestionItemError {
  index?: number;
  statusCode?: number;
  message?: string;
}

/** The ingestion service's answer: `{itemsReceived, itemsAccepted, appId, errors[]}`. */
export interface IngestionResponse {
  itemsReceived?: number;
  itemsAccepted?: number;
  appId?: string | null;
  errors: IngestionItemError[];
}

/** An error answered by Entra ID or a managed-identity endpoint. */
export interface TokenError {
  error?: string;
  errorCodes?: number[];
  /** e.g. 'AADSTS700016'. */
  aadsts?: string;
  /** First line of error_description (or the message of an App Service identity error). */
  description?: string;
  traceId?: string;
  correlationId?: string;
}

/**
 * Decoded meaning of an exchange, produced by src/ingestion (pure) from the Exchange.
 * Only the fields the sinks rely on are fixed here; the decoder may add more.
 */
export interface Analysis {
  /** e.g. 'track-v2', 'track-v2.1', 'live-ping', 'live-post', 'token', 'imds-token', 'statsbeat', 'other'. */
  kind: string;
  /** Detected SDK or agent, e.g. 'java-agent', 'js-exporter', 'node-2x', 'python-exporter', 'dotnet', 'unknown'. */
  sdk?: string;
  envelopes?: {
    count: number;
    byType: Record<string, number>;
    /** Masked instrumentation keys. */
    iKeys: string[];
    sdkVersions?: string[];
    roleNames?: string[];
  };
  ingestionResponse?: IngestionResponse;
  tokenError?: TokenError;
  [extra: string]: unknown;
}

/** One line of the annotated log (besides pino's own level/time/msg). */
export interface ExchangeLogLine {
  msg: string;
  exchange: Exchange;
  analysis?: Analysis;
  findings: Finding[];
  /** The proxy's own shutdown cut this exchange short (see src/sinks/shutdown-marker.ts). */
  interruptedByShutdown?: boolean;
}
