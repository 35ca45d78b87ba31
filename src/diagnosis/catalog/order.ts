import type { AnsweredBy, CatalogEntry, FixStage } from './types';

/**
 * The one fix order: the report's next steps, the order of findings on a log line and the order
 * of `explain` lookups all come from it. Within a stage, entries keep their catalog order.
 */
export const FIX_STAGES: readonly FixStage[] = [
  'proxy-trust',
  'network',
  'token-acquisition',
  'api-path',
  'token',
  'role',
  'resource',
  'readiness',
  'delivery',
  'informational',
];

/**
 * `explain 401` is asked about an ingestion answer: the /v2.1/track entries (token, role) come
 * first, then /v2/track, live metrics, and the token endpoints that use the same status codes.
 */
export const ANSWER_ORDER: readonly AnsweredBy[] = [
  'track-v2.1',
  'track-v2',
  'live-metrics',
  'entra',
  'managed-identity',
  'proxy',
];

/** Entries in fix order (stable: catalog order within a stage). */
export function inFixOrder<T extends Pick<CatalogEntry, 'stage'>>(entries: readonly T[]): T[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) => FIX_STAGES.indexOf(a.entry.stage) - FIX_STAGES.indexOf(b.entry.stage) || a.index - b.index,
    )
    .map((x) => x.entry);
}
