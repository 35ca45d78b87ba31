import type { Finding } from '../model/finding';

export type CredentialKind =
  'default' | 'managed-identity' | 'workload-identity' | 'client-secret' | 'azure-cli' | 'none';

export interface CheckOptions {
  connectionString: string;
  credential: CredentialKind;
  tenantId?: string;
  clientId?: string;
  /** The client secret, already read from its environment variable or file; never printed. */
  clientSecret?: string;
  authorityHost?: string;
  /** http://host:port of a proxy to go through (this one included). */
  via?: string;
  probeLocalAuth: boolean;
  /** Milliseconds each network step may take. */
  timeoutMs: number;
}

/** How a step ended: ok, a note, a warning, it failed (blocked), or it did not run. */
export type StepStatus = 'ok' | 'info' | 'warning' | 'failed' | 'skipped';

export interface StepResult {
  /** parse, dns, tcp, tls, token, track, local-auth */
  step: string;
  status: StepStatus;
  /** One line on what happened. */
  summary: string;
  details?: Record<string, unknown>;
  /** Findings as the proxy would emit them (same ids, same guidance). */
  findings: Finding[];
}

export interface CheckVerdict {
  verdict: 'ok' | 'warnings' | 'blocked';
  exitCode: 0 | 1 | 3;
  summary: string;
}
