import type { Exchange } from '../../src/model/exchange';
import type { Finding } from '../../src/model/finding';
import { parseConnectionString } from '../../src/ingestion/connection-string';
import { type DiagnosisOptions, diagnose } from '../../src/diagnosis';

export const NO_OPTIONS: DiagnosisOptions = { connectionStrings: [], expectEntra: false };

export function options(
  o: Partial<DiagnosisOptions> & { connectionStrings?: DiagnosisOptions['connectionStrings'] } = {},
): DiagnosisOptions {
  return { ...NO_OPTIONS, ...o };
}

export const withConnectionString = (...texts: string[]) =>
  options({ connectionStrings: texts.map(parseConnectionString) });

export function findingsOf(ex: Exchange, opts: DiagnosisOptions = NO_OPTIONS): Finding[] {
  return diagnose(ex, opts).findings;
}

export const idsOf = (findings: Finding[]) => findings.map((f) => f.id).sort();

export function finding(findings: Finding[], id: string): Finding {
  const found = findings.find((f) => f.id === id);
  if (!found) throw new Error(`no ${id} among ${idsOf(findings).join(', ') || '(none)'}`);
  return found;
}
