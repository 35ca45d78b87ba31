import type { Severity } from '../model/finding';
import { ENTRA_ENTRIES } from './catalog/entra';
import { INGESTION_ENTRIES } from './catalog/ingestion';
import { NETWORK_ENTRIES } from './catalog/network';
import { inFixOrder } from './catalog/order';
import { TOKEN_ENTRIES } from './catalog/tokens';
import { TRAFFIC_ENTRIES } from './catalog/traffic';
import type { CatalogEntry } from './catalog/types';
import type { FindingId } from './finding-ids';

export type { AnsweredBy, CatalogEntry, FixStage } from './catalog/types';

/**
 * The catalog's files. A new file of entries plugs in here (one import, one line); each entry
 * says its own stage, so its place in the fix order needs no other list.
 */
const CATALOG_FILES: readonly (readonly CatalogEntry[])[] = [
  NETWORK_ENTRIES,
  ENTRA_ENTRIES,
  INGESTION_ENTRIES,
  TOKEN_ENTRIES,
  TRAFFIC_ENTRIES,
];

/** The guidance catalog: one entry per finding id, in our own words, in fix order. */
export const CATALOG: readonly CatalogEntry[] = inFixOrder(CATALOG_FILES.flat());

const BY_ID = new Map<string, CatalogEntry>(CATALOG.map((e) => [e.id, e]));
const RANK = new Map<string, number>(CATALOG.map((e, i) => [e.id, i]));

export function catalogEntry(id: FindingId): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`no catalog entry for finding ${id}`);
  return entry;
}

export function findCatalogEntry(id: string): CatalogEntry | undefined {
  return BY_ID.get(id.toUpperCase());
}

/** Position in the fix order (ids the catalog does not know come last). */
export function fixRank(id: string): number {
  return RANK.get(id) ?? CATALOG.length;
}

/** Finding ids in the order they are fixed. */
export const FIX_ORDER: readonly FindingId[] = CATALOG.map((e) => e.id);

/** Every severity an entry allows: its default and its declared cases. */
export function allowedSeverities(entry: CatalogEntry): Severity[] {
  return [entry.severity, ...(entry.severityCases ?? []).map((c) => c.severity)];
}
