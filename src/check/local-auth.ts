import type { Finding } from '../model/finding';

export type LocalAuth = 'disabled' | 'enabled' | 'unknown';

/**
 * What the answer to a tokenless POST to v2/track says about local authentication. Disabled only
 * when the diagnosis reads it as the Entra-only refusal (401, 403, or a 400 that is not an invalid
 * key or a per-item error); enabled only when the record was taken (2xx). A 400 "Invalid
 * instrumentation key", a 429, a 5xx or a redirect says nothing either way.
 */
export function localAuthOf(status: number | undefined, findings: readonly Finding[]): LocalAuth {
  if (status === undefined) return 'unknown';
  if (findings.some((f) => f.id === 'ENTRA_ONLY_RESOURCE_V2_PATH')) return 'disabled';
  return status >= 200 && status < 300 ? 'enabled' : 'unknown';
}
