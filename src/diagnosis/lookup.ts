import { CATALOG, type CatalogEntry } from './catalog';
import { ANSWER_ORDER } from './catalog/order';

/** Entries for an HTTP status: grouped by the endpoint that answers it (ingestion first), then fix order. */
function byStatus(status: number): CatalogEntry[] {
  const group = (e: CatalogEntry) =>
    e.answeredBy ? ANSWER_ORDER.indexOf(e.answeredBy) : ANSWER_ORDER.length;
  return CATALOG.filter((e) => e.statuses?.includes(status))
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => group(a.entry) - group(b.entry) || a.index - b.index)
    .map((x) => x.entry);
}

/**
 * Catalog entries for a query: a finding id ('TOKEN_MISSING', any case), an HTTP status ('401'),
 * an AADSTS code ('AADSTS700016' or '700016'), or part of an id ('token').
 */
export function lookupGuidance(query: string): CatalogEntry[] {
  const q = query
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  if (!q) return [];
  const code = /^(AADSTS)?(\d+)$/.exec(q);
  if (code) {
    const digits = code[2] ?? '';
    const n = Number(digits);
    // Bare digits shorter than any AADSTS code (five or more) are a status or nothing: `999` is
    // no status, and the generic Entra entry would send the reader the wrong way. `0401` is 401.
    if (!code[1] && digits.length < 5) return n >= 100 && n <= 599 ? byStatus(n) : [];
    const byCode = CATALOG.filter((e) => e.aadsts?.includes(digits));
    return byCode.length ? byCode : CATALOG.filter((e) => e.id === 'ENTRA_TOKEN_ERROR');
  }
  const exact = CATALOG.filter((e) => e.id === q);
  return exact.length ? exact : CATALOG.filter((e) => e.id.includes(q));
}
