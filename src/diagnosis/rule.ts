import type { Exchange } from '../model/exchange';
import type { EvidenceValue, Severity } from '../model/finding';
import type { ExchangeAnalysis } from '../ingestion/analyze';
import type { FindingId } from './finding-ids';
import type { DiagnosisOptions } from './options';
import type { TokenFacts } from './token-facts';

/** Everything a rule may look at; built once per exchange. */
export interface RuleContext {
  exchange: Exchange;
  analysis: ExchangeAnalysis;
  options: DiagnosisOptions;
  /** Request time, epoch ms. */
  now: number;
  /** Upstream status, when the service answered. */
  status?: number;
  token: TokenFacts;
}

/** What a rule concludes; the guidance is attached from the catalog afterwards. */
export interface RuleFinding {
  id: FindingId;
  title: string;
  evidence: Record<string, EvidenceValue>;
  /** Overrides the catalog's severity (e.g. "likely" cases). */
  severity?: Severity;
}

export interface Rule {
  name: string;
  /** Every id this rule can emit (checked against the catalog by a test). */
  emits: readonly FindingId[];
  evaluate(context: RuleContext): RuleFinding[];
}
