import type { FindingSummary, Report } from './report';
import { escapeC1InJson, escapeStrings } from './terminal-text';

/** How a report is written: plain text for terminals, markdown for tickets, JSON for tools. */
export type ReportFormat = 'text' | 'markdown' | 'json';

function statusList(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .map(([status, count]) => `${status} ×${count}`)
    .join(', ');
}

function findingFacts(f: FindingSummary): string[] {
  const facts = [`first ${f.firstSeen}`, `last ${f.lastSeen}`];
  if (f.iKeys.length) facts.push(`iKeys ${f.iKeys.join(', ')}`);
  return facts;
}

function linesSummary(report: Report): string {
  const { lines } = report;
  return `${lines.total} lines: ${lines.exchanges} exchanges, ${lines.other} other, ${lines.unparsed} not parsed`;
}

function unparsedLines(report: Report, bullet: string): string[] {
  if (!report.lines.unparsed) return [];
  const more = report.lines.unparsed - report.unparsed.length;
  return [
    ...report.unparsed.map((u) => `${bullet}line ${u.line}: ${u.text}`),
    ...(more > 0 ? [`${bullet}… and ${more} more`] : []),
  ];
}

function telemetryLine(report: Report): string {
  const t = report.telemetry;
  return `${t.trackRequests} track requests, ${t.trackAccepted} accepted; ${t.itemsSent} items sent, ${t.itemsAccepted} accepted`;
}

export function formatReportText(report: Report): string {
  const out: string[] = [];
  out.push(`Verdict: ${report.verdict.text}`, '');
  out.push(linesSummary(report));
  if (report.timeRange) out.push(`from ${report.timeRange.first} to ${report.timeRange.last}`);
  out.push(`telemetry: ${telemetryLine(report)}`, '');
  out.push('Exchanges by host:');
  for (const [host, count] of Object.entries(report.exchanges.byHost)) out.push(`  ${host}  ${count}`);
  out.push('Exchanges by path and status:');
  for (const [route, statuses] of Object.entries(report.exchanges.byRoute))
    out.push(`  ${route}  ${statusList(statuses)}`);
  out.push(`Exchanges by status: ${statusList(report.exchanges.byStatus) || 'none'}`, '');
  out.push(report.findings.length ? 'Findings:' : 'Findings: none');
  for (const f of report.findings) {
    out.push(`  ${f.severity.toUpperCase()} ${f.id} ×${f.count}: ${f.title}`);
    out.push(`      ${findingFacts(f).join('; ')}`);
    for (const identity of f.identities) out.push(`      identity ${identity}`);
  }
  if (report.nextSteps.length) {
    out.push('', 'Next steps, in order:');
    report.nextSteps.forEach((step, i) => {
      out.push(`  ${i + 1}. ${step.id}: ${step.title}`);
      for (const fix of step.fix) out.push(`     - ${fix}`);
      if (step.learnMore.length) out.push(`     learn more: ${step.learnMore.join(' ')}`);
    });
  }
  if (report.lines.unparsed) out.push('', 'Lines that could not be parsed:', ...unparsedLines(report, '  '));
  return `${out.join('\n')}\n`;
}

/** Pipes and newlines would break a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function formatReportMarkdown(report: Report): string {
  const out: string[] = ['# appinsights-auth-proxy report', '', `**Verdict:** ${report.verdict.text}`, ''];
  out.push(`- ${linesSummary(report)}`);
  if (report.timeRange) out.push(`- from ${report.timeRange.first} to ${report.timeRange.last}`);
  out.push(`- telemetry: ${telemetryLine(report)}`, '');
  out.push('## Exchanges', '', '| route | statuses |', '|---|---|');
  for (const [route, statuses] of Object.entries(report.exchanges.byRoute)) {
    out.push(`| ${cell(route)} | ${cell(statusList(statuses))} |`);
  }
  out.push('', '| host | exchanges |', '|---|---|');
  for (const [host, count] of Object.entries(report.exchanges.byHost))
    out.push(`| ${cell(host)} | ${count} |`);
  out.push('', '## Findings', '');
  if (!report.findings.length) out.push('None.');
  else {
    out.push(
      '| id | severity | count | first seen | last seen | iKeys | identities |',
      '|---|---|---|---|---|---|---|',
    );
    for (const f of report.findings) {
      out.push(
        `| ${f.id} | ${f.severity} | ${f.count} | ${f.firstSeen} | ${f.lastSeen} | ${cell(f.iKeys.join(', '))} | ${cell(f.identities.join('; '))} |`,
      );
    }
  }
  if (report.nextSteps.length) {
    out.push('', '## Next steps', '');
    report.nextSteps.forEach((step, i) => {
      out.push(`${i + 1}. **${step.id}**: ${step.title}`);
      for (const fix of step.fix) out.push(`   - ${fix}`);
      for (const url of step.learnMore) out.push(`   - <${url}>`);
    });
  }
  if (report.lines.unparsed)
    out.push('', '## Lines that could not be parsed', '', ...unparsedLines(report, '- '));
  return `${out.join('\n')}\n`;
}

export function formatReport(report: Report, format: ReportFormat): string {
  if (format === 'json') return `${escapeC1InJson(JSON.stringify(report, null, 2))}\n`;
  // Text from the log (hosts, paths, titles) may hold control characters: shown escaped.
  if (format === 'markdown') return formatReportMarkdown(escapeStrings(report));
  return formatReportText(escapeStrings(report));
}
