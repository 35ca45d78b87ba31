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
