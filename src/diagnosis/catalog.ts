import { ENTRA_ENTRIES } from './catalog/entra';
import { INGESTION_ENTRIES } from './catalog/ingestion';
import { NETWORK_ENTRIES } from './catalog/network';
import { TOKEN_ENTRIES } from './catalog/tokens';
import { TRAFFIC_ENTRIES } from './catalog/traffic';
import type { CatalogEntry } from './catalog/types';
import type { FindingId } from './finding-ids';

export type { CatalogEntry } from './catalog/types';

/** The guidance catalog: one entry per finding id, in our own words. */
export const CATALOG: readonly CatalogEntry[] = [
  ...INGESTION_ENTRIES,
  ...TOKEN_ENTRIES,
  ...ENTRA_ENTRIES,
  ...NETWORK_ENTRIES,
  ...TRAFFIC_ENTRIES,
];

const BY_ID = new Map<string, CatalogEntry>(CATALOG.map((e) => [e.id, e]));

export function catalogEntry(id: FindingId): CatalogEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`no catalog entry for finding ${id}`);
  return entry;
}

export function findCatalogEntry(id: string): CatalogEntry | undefined {
  return BY_ID.get(id.toUpperCase());
}
