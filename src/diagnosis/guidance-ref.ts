import type { Finding, FindingGuidance, Runtime } from '../model/finding';
import { findCatalogEntry } from './catalog';
import { guidanceFor, guidanceInputs, usesCaCertPath } from './guidance';

/**
 * A finding's guidance written as a reference to its catalog entry: what `guidanceFor` needs to
 * rebuild the exact text (the entry, the sender's runtime, the CA path when the entry shows it).
 * In a failure storm every line carries the same finding; writing its full text once per log and
 * a reference after that keeps each line small while the line still says id, title, severity and
 * evidence. Readers rebuild from the catalog, never from an earlier line, so a log read from the
 * middle (rotated, `tail`) shows the full guidance too.
 */
export interface GuidanceRef {
  /** The catalog entry (docs/findings.md), equal to the finding's id. */
  ref: string;
  /** The sender's runtime, whose steps the guidance picks (absent: every runtime's, labelled). */
  runtime?: Runtime;
  /** The proxy CA file named in the steps (only for entries that name it). */
  caCertPath?: string;
}

/** How the annotated log writes guidance: `first` = full once per finding text, then references. */
export type LogGuidance = 'full' | 'first';

const RUNTIMES: ReadonlySet<string> = new Set(['java', 'node', 'python', 'dotnet', 'curl']);

export function isGuidanceRef(value: unknown): value is GuidanceRef {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.ref === 'string' &&
    !('why' in v) &&
    (v.runtime === undefined || (typeof v.runtime === 'string' && RUNTIMES.has(v.runtime))) &&
    (v.caCertPath === undefined || typeof v.caCertPath === 'string')
  );
}

/** The reference for a guidance object guidanceFor built, or undefined (written in full then). */
export function referenceFor(finding: Finding): GuidanceRef | undefined {
  const inputs = guidanceInputs(finding.guidance);
  if (!inputs || inputs.entry.id !== finding.id) return undefined;
  const ref: GuidanceRef = { ref: inputs.entry.id };
  if (inputs.runtime) ref.runtime = inputs.runtime;
  if (inputs.caCertPath !== undefined && usesCaCertPath(inputs.entry)) ref.caCertPath = inputs.caCertPath;
  return ref;
}

/** The finding with its guidance as a reference when it has one (else the finding as it is). */
export function withGuidanceRef(finding: Finding): Finding | ReferencedFinding {
  const ref = referenceFor(finding);
  return ref ? { ...finding, guidance: ref } : finding;
}

/** A finding as a log writes it after the first full occurrence. */
export type ReferencedFinding = Omit<Finding, 'guidance'> & { guidance: GuidanceRef };

/** The full guidance a reference stands for, from the catalog (undefined: no such entry). */
export function rebuildGuidance(ref: GuidanceRef): FindingGuidance | undefined {
  const entry = findCatalogEntry(ref.ref);
  if (!entry || entry.id !== ref.ref) return undefined;
  return guidanceFor(entry, ref.runtime, { caCertPath: ref.caCertPath });
}

/**
 * Every reader of a log calls this on a parsed line: references in `findings` become the full
 * guidance again (in place). A reference to an entry this version does not know is left as it is.
 */
export function expandGuidance<T>(record: T): T {
  const findings = (record as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings)) return record;
  for (const finding of findings) {
    if (!finding || typeof finding !== 'object') continue;
    const f = finding as { guidance?: unknown };
    if (!isGuidanceRef(f.guidance)) continue;
    const full = rebuildGuidance(f.guidance);
    if (full) f.guidance = full;
  }
  return record;
}

/**
 * The writer's side: remembers which guidance texts this log already holds in full and returns
 * the findings to write, with a reference for each one seen before. One per log (process).
 */
export class GuidanceOnce {
  private readonly written = new Set<string>();

  constructor(private readonly mode: LogGuidance = 'first') {}

  findings(findings: Finding[]): (Finding | ReferencedFinding)[] {
    if (this.mode === 'full' || findings.length === 0) return findings;
    return findings.map((finding) => {
      const ref = referenceFor(finding);
      if (!ref) return finding;
      const key = `${ref.ref}\u0000${ref.runtime ?? ''}\u0000${ref.caCertPath ?? ''}`;
      if (!this.written.has(key)) {
        // Bounded: ids × runtimes × CA paths is small; a flood of distinct paths starts over.
        if (this.written.size >= 4096) this.written.clear();
        this.written.add(key);
        return finding;
      }
      return { ...finding, guidance: ref };
    });
  }
}
