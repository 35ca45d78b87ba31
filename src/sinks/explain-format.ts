import { allGuidance } from '../diagnosis';
import type { GuidanceEntry, Runtime } from '../model/finding';
import type { Recognition } from './explain';
import { redactText } from '../ingestion/redact';
import { escapeControls } from './terminal-text';

/**
 * Printing `explain`'s answers. The entries come from the diagnosis catalog (the one the proxy
 * attaches to findings); nothing here restates guidance.
 */

let byId: Map<string, GuidanceEntry> | undefined;

/** The catalog entry for a finding id (undefined for an id the catalog does not have). */
export function catalogEntryById(id: string): GuidanceEntry | undefined {
  byId ??= new Map(allGuidance().map((e) => [e.id, e]));
  return byId.get(id);
}

function numbered(steps: string[], indent: string): string[] {
  return steps.map((step, i) => `${indent}${i + 1}. ${step}`);
}

/** A whole entry, as `explain TOKEN_MISSING` prints it; with a runtime, only that runtime's steps. */
export function formatEntry(entry: GuidanceEntry, runtime?: Runtime, indent = ''): string[] {
  const out = [
    `${indent}${entry.id} (${entry.severity}): ${entry.title}`,
    `${indent}  symptom: ${entry.symptom}`,
    `${indent}  why: ${entry.why}`,
    `${indent}  how the proxy detects it: ${entry.detection}`,
    `${indent}  fix:`,
    ...numbered(entry.fix, `${indent}    `),
  ];
  const runtimes = Object.entries(entry.fixByRuntime ?? {}) as [Runtime, string[]][];
  for (const [name, steps] of runtimes) {
    if (runtime && name !== runtime) continue;
    out.push(`${indent}  ${name}:`, ...numbered(steps, `${indent}    `));
  }
  out.push(`${indent}  learn more:`, ...entry.learnMore.map((l) => `${indent}    ${l.title}: ${l.url}`));
  return out;
}

/**
 * One recognised line: where, what it says, then the entry in full the first time it comes up
 * and a pointer afterwards (a tailed log repeats the same failure every few seconds).
 */
export function formatRecognition(
  recognition: Recognition,
  where: string,
  line: string,
  shown: Set<string>,
): string {
  const out = [
    `${where}: ${escapeControls(redactText(line.trim())).slice(0, 300)}`,
    `  means: ${recognition.meaning}`,
  ];
  for (const id of recognition.ids) {
    const entry = catalogEntryById(id);
    if (!entry) continue;
    if (shown.has(id)) out.push(`  → ${id}: ${entry.title} (explained above)`);
    else {
      shown.add(id);
      const [head, ...rest] = formatEntry(entry, recognition.runtime, '    ');
      out.push(`  → ${head?.trimStart()}`, ...rest);
    }
  }
  const others = recognition.alsoPossible
    .map((id) => catalogEntryById(id))
    .filter((e): e is GuidanceEntry => Boolean(e));
  if (others.length) {
    out.push('  also possible (the proxy tells these apart from the traffic):');
    for (const e of others) out.push(`    ${e.id}: ${e.title}`);
  }
  return `${out.join('\n')}\n`;
}
