import type { Exchange } from '../model/exchange';
import type { Finding } from '../model/finding';
import { type ExchangeAnalysis, analyzeExchange } from '../ingestion/analyze';
import { CATALOG, type CatalogEntry, allowedSeverities, catalogEntry, fixRank } from './catalog';
import type { FindingId } from './finding-ids';
import { guidanceFor } from './guidance';
import type { DiagnosisOptions } from './options';
import type { RuleContext } from './rule';
import { RULES } from './rules';
import { tokenFacts } from './token-facts';
import { TRAFFIC_FINDING_IDS } from './traffic/rules';

export type { DiagnosisOptions } from './options';
export type { FindingId } from './finding-ids';
export { FINDING_IDS } from './finding-ids';
export { lookupGuidance } from './lookup';
export { FIX_ORDER, fixRank } from './catalog';
export { RULES } from './rules';

/** Every id some rule can emit (the catalog holds exactly these). */
export const RULE_FINDING_IDS: readonly FindingId[] = [
  ...new Set([...RULES.flatMap((r) => r.emits), ...TRAFFIC_FINDING_IDS]),
];

/**
 * Diagnoses one exchange: decodes it once, runs every rule, and attaches the catalog's guidance
 * (with the sender's runtime steps) to each finding. Pure and cheap; a failing rule is skipped.
 */
export function diagnose(
  exchange: Exchange,
  options: DiagnosisOptions,
): { analysis: ExchangeAnalysis; findings: Finding[] } {
  const analysis = analyzeExchange(exchange);
  const now = options.now ?? exchange.timings.start;
  let token: RuleContext['token'];
  try {
    token = tokenFacts(exchange, options.connectionStrings, now);
  } catch {
    token = {
      present: false,
      time: 'unknown',
      audiences: [],
      audienceOk: false,
      expectedAudiences: [],
      expectedAudienceSource: 'any Azure Monitor cloud',
    };
  }
  const context: RuleContext = { exchange, analysis, options, now, status: exchange.response?.status, token };
  const findings: Finding[] = [];
  for (const rule of RULES) {
    try {
      for (const result of rule.evaluate(context)) {
        const entry = catalogEntry(result.id);
        // A rule may only pick a severity its catalog entry declares (the catalog states them once).
        const severity =
          result.severity && allowedSeverities(entry).includes(result.severity)
            ? result.severity
            : entry.severity;
        findings.push({
          id: result.id,
          severity,
          title: result.title,
          evidence: result.evidence,
          guidance: guidanceFor(entry, analysis.runtime, { caCertPath: options.caCertPath }),
        });
      }
    } catch {
      // One broken rule must not cost the log line (a test runs every rule over every fixture).
    }
  }
  // One order everywhere: the catalog's fix order (stable for two findings of one id).
  findings.sort((a, b) => fixRank(a.id) - fixRank(b.id));
  return { analysis, findings };
}

/** The whole catalog in fix order, for `explain --all` and documentation. */
export function allGuidance(): CatalogEntry[] {
  return [...CATALOG];
}
