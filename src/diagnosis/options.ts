import type { ConnectionString } from '../ingestion/connection-string';

export interface DiagnosisOptions {
  /** Connection strings the app is meant to use (already parsed): expected iKeys and audiences. */
  connectionStrings: ConnectionString[];
  /** The resource has local authentication disabled: every telemetry request must carry a token. */
  expectEntra: boolean;
  /** Path of the proxy's CA certificate, quoted in the trust-the-CA fix steps. */
  caCertPath?: string;
  /** Request time in epoch ms; defaults to exchange.timings.start. */
  now?: number;
}
