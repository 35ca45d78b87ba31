import type { GuidanceEntry, Severity } from '../../model/finding';
import type { FindingId } from '../finding-ids';

/**
 * Where a problem sits on the way from the app to stored telemetry. A later stage cannot be
 * seen until the earlier ones work (no trust in the proxy CA, no token request; no token, no role
 * check...), so the stages are the fix order: see FIX_STAGES in ./order.
 */
export type FixStage =
  | 'proxy-trust'
  | 'network'
  | 'token-acquisition'
  | 'api-path'
  | 'token'
  | 'role'
  | 'resource'
  | 'readiness'
  | 'delivery'
  | 'informational';

/** Which endpoint answers with the statuses of an entry (explain's status lookups group by it). */
export type AnsweredBy = 'track-v2.1' | 'track-v2' | 'live-metrics' | 'entra' | 'managed-identity' | 'proxy';

/** A severity a rule may give instead of the entry's default, and when. */
export interface SeverityCase {
  severity: Severity;
  when: string;
}

/** A guidance entry plus what orders it and what `explain` can look it up by. */
export interface CatalogEntry extends GuidanceEntry {
  id: FindingId;
  stage: FixStage;
  /** Every other severity a finding with this id can carry (the default is `severity`). */
  severityCases?: SeverityCase[];
  /** HTTP statuses this scenario shows up as, and which endpoint answers them. */
  statuses?: number[];
  answeredBy?: AnsweredBy;
  /** AADSTS codes (digits only) this scenario stands for. */
  aadsts?: string[];
}
