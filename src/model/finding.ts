/** Findings: what the diagnosis concludes about one exchange. Ids are public schema. */

export type Severity = 'info' | 'warning' | 'error';

/** Runtimes that get their own fix steps. */
export type Runtime = 'java' | 'node' | 'python' | 'dotnet' | 'curl';

export type EvidenceValue = string | number | boolean | null | string[];

/** The guidance attached to a finding: the catalog entry, with the runtime's own steps chosen. */
export interface FindingGuidance {
  why: string;
  fix: string[];
  /** The runtime the exchange came from, when known, and its specific steps. */
  runtime?: Runtime;
  runtimeFix?: string[];
  learnMore: string[];
}

export interface Finding {
  id: string;
  severity: Severity;
  /** One line, specific to this exchange. */
  title: string;
  /** What in the traffic shows it: header, claim, status, ... (never a secret). */
  evidence: Record<string, EvidenceValue>;
  guidance: FindingGuidance;
}

/** One entry of the guidance catalog (data, in our own words). */
export interface GuidanceEntry {
  id: string;
  severity: Severity;
  title: string;
  symptom: string;
  why: string;
  detection: string;
  fix: string[];
  fixByRuntime?: Partial<Record<Runtime, string[]>>;
  learnMore: { title: string; url: string }[];
}
