import type { FindingGuidance, Runtime } from '../model/finding';
import type { CatalogEntry } from './catalog';

export interface GuidanceVariables {
  caCertPath?: string;
}

const DEFAULT_CA_PATH = '<proxy CA certificate file>';

function fill(text: string, vars: GuidanceVariables): string {
  return text.replaceAll('{caCertPath}', vars.caCertPath ?? DEFAULT_CA_PATH);
}

const RUNTIME_LABELS: Record<Runtime, string> = {
  java: 'Java',
  node: 'Node.js',
  python: 'Python',
  dotnet: '.NET',
  curl: 'curl',
};

/**
 * A finding's guidance: the catalog entry, with the sender's runtime steps picked and placeholders
 * filled. When the sender's runtime is not known, every runtime's steps come, each labelled.
 */
export function guidanceFor(
  entry: CatalogEntry,
  runtime: Runtime | undefined,
  vars: GuidanceVariables,
): FindingGuidance {
  const guidance = buildGuidance(entry, runtime, vars);
  BUILT_FROM.set(guidance, { entry, runtime, caCertPath: vars.caCertPath });
  return guidance;
}

/**
 * What each guidance object guidanceFor returned was built from, so the log can write a reference
 * that rebuilds the same text (src/diagnosis/guidance-ref.ts). Weak: it lives as long as the finding.
 */
const BUILT_FROM = new WeakMap<FindingGuidance, GuidanceInputs>();

export interface GuidanceInputs {
  entry: CatalogEntry;
  runtime: Runtime | undefined;
  caCertPath: string | undefined;
}

/** The inputs a guidance object came from, when guidanceFor made it (else undefined). */
export function guidanceInputs(guidance: FindingGuidance): GuidanceInputs | undefined {
  return BUILT_FROM.get(guidance);
}

/** Whether the entry's text depends on the CA path (the only placeholder filled per exchange). */
export function usesCaCertPath(entry: CatalogEntry): boolean {
  let uses = USES_CA_PATH.get(entry);
  if (uses === undefined) {
    const steps = [...entry.fix, ...Object.values(entry.fixByRuntime ?? {}).flat()];
    uses = steps.some((step) => step.includes('{caCertPath}'));
    USES_CA_PATH.set(entry, uses);
  }
  return uses;
}
/** Asked for every finding of every line: the catalog's entries do not change, answer once each. */
const USES_CA_PATH = new WeakMap<CatalogEntry, boolean>();

function buildGuidance(
  entry: CatalogEntry,
  runtime: Runtime | undefined,
  vars: GuidanceVariables,
): FindingGuidance {
  const guidance: FindingGuidance = {
    why: entry.why,
    fix: entry.fix.map((step) => fill(step, vars)),
    learnMore: entry.learnMore.map((l) => l.url),
  };
  if (runtime) {
    guidance.runtime = runtime;
    const runtimeFix = entry.fixByRuntime?.[runtime];
    if (runtimeFix) guidance.runtimeFix = runtimeFix.map((step) => fill(step, vars));
    return guidance;
  }
  const all = Object.entries(entry.fixByRuntime ?? {}) as [Runtime, string[]][];
  const labelled = all.flatMap(([name, steps]) =>
    steps.map((step) => `${RUNTIME_LABELS[name]}: ${fill(step, vars)}`),
  );
  if (labelled.length) guidance.runtimeFix = labelled;
  return guidance;
}
