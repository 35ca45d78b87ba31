/**
 * Issue 15's targets must hold in three consecutive runs; each `npm run bench` report states one
 * run. This puts the runs side by side, from the reports' own target tables (never by hand):
 *   node dist/bench-build/bench/consecutive-runs.js docs/performance.md run1.md run2.md run3.md
 * writes the section into the first file (the last run's report), replacing an earlier one.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const TARGETS_HEADING = '## Targets (issue 15)';
export const SECTION_HEADING = '## Consecutive runs (issue 15)';

export interface RunTarget {
  value: string;
  status: 'met' | 'not met' | 'not measured';
}

/** The issue-15 target table of one report: target name → what it measured and its status. */
export function targetsOf(markdown: string): Map<string, RunTarget> {
  const lines = markdown.split('\n');
  const start = lines.indexOf(TARGETS_HEADING);
  const out = new Map<string, RunTarget>();
  if (start < 0) return out;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    // Cells trimmed: a report formatted by prettier pads them to the column's width.
    const cells = line
      .replace(/^\|\s*/, '')
      .replace(/\s*\|\s*$/, '')
      .split(/\s+\|\s+/);
    if (cells.length !== 3 || !line.startsWith('| ') || cells[0] === 'target' || /^-+$/.test(cells[0]!))
      continue;
    const name = cells[0]!;
    const raw = cells[2]!.replace(/\*/g, '');
    const status = raw === 'met' || raw === 'not met' ? raw : 'not measured';
    out.set(name, { value: cells[1]!, status });
  }
  return out;
}

/** One row per target: each run's figure and status, and whether it held in every run. */
export function consecutiveSection(runs: { label: string; markdown: string }[]): string[] {
  const tables = runs.map((r) => targetsOf(r.markdown));
  const names = [...new Set(tables.flatMap((t) => [...t.keys()]))];
  const rows = names.map((name) => {
    const per = tables.map((t) => t.get(name));
    const met = per.filter((p) => p?.status === 'met').length;
    const measured = per.filter((p) => p && p.status !== 'not measured').length;
    const verdict =
      measured < runs.length
        ? `measured in ${measured} of ${runs.length}`
        : met === runs.length
          ? `met in all ${runs.length}`
          : `**not met** (met in ${met} of ${runs.length})`;
    const cells = per.map((p) => (p ? `${p.value} (${p.status})` : '–'));
    return `| ${name} | ${cells.join(' | ')} | ${verdict} |`;
  });
  return [
    SECTION_HEADING,
    '',
    `The issue-15 targets of ${runs.length} consecutive full runs, read from each run's own report ` +
      `(${runs.map((r) => r.label).join(', ')}); the rest of this page is the last run.`,
    '',
    `| target | ${runs.map((_, i) => `run ${i + 1}`).join(' | ')} | verdict |`,
    `|---|${runs.map(() => '---').join('|')}|---|`,
    ...rows,
    '',
  ];
}

/** The report with the section after its first paragraph, replacing an earlier copy. */
export function withSection(report: string, section: string[]): string {
  const lines = report.split('\n');
  const old = lines.indexOf(SECTION_HEADING);
  if (old >= 0) {
    const next = lines.findIndex((l, i) => i > old && l.startsWith('## '));
    lines.splice(old, (next < 0 ? lines.length : next) - old);
  }
  const at = lines.findIndex((l) => l.startsWith('## '));
  lines.splice(at < 0 ? lines.length : at, 0, ...section);
  return lines.join('\n');
}

if (require.main === module) {
  const [out, ...files] = process.argv.slice(2);
  if (!out || files.length === 0) {
    process.stderr.write('usage: consecutive-runs.js OUT.md RUN1.md [RUN2.md ...]\n');
    process.exit(2);
  }
  const runs = files.map((f) => ({ label: f, markdown: readFileSync(f, 'utf8') }));
  writeFileSync(out, withSection(readFileSync(out, 'utf8'), consecutiveSection(runs)));
}
