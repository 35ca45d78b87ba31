import { catalogEntry } from '../diagnosis/catalog';
import type { FindingId } from '../diagnosis/finding-ids';
import { guidanceFor } from '../diagnosis/guidance';
import type { EvidenceValue, Finding } from '../model/finding';

/** A finding the check concludes before any exchange: same id and guidance as the proxy's. */
export function checkFinding(id: FindingId, title: string, evidence: Record<string, EvidenceValue>): Finding {
  const entry = catalogEntry(id);
  return { id, severity: entry.severity, title, evidence, guidance: guidanceFor(entry, undefined, {}) };
}
