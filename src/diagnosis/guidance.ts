import type { FindingGuidance, Runtime } from '../model/finding';
import type { CatalogEntry } from './catalog';

export interface GuidanceVariables {
  caCertPath?: string;
}

const DEFAULT_CA_PATH = '<proxy CA certificate file>';

function fill(text: string, vars: GuidanceVariables): string {
  return text.replaceAll('{caCertPath}', vars.caCertPath ?? DEFAULT_CA_PATH);
}

/** A finding's guidance: the catalog entry, with the sender's runtime steps picked and placeholders filled. */
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
  const runtimeFix = runtime ? entry.fixByRuntime?.[runtime] : undefined;
  if (runtime) guidance.runtime = runtime;
  if (runtimeFix) guidance.runtimeFix = runtimeFix.map((step) => fill(step, vars));
  return guidance;
}
