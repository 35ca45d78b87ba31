import { ensureMaskedIkey, isStatsbeatIkey } from '../../ingestion/envelopes';
import { formFields, requestEvidence } from '../evidence';
import type { Rule, RuleContext } from '../rule';
import { APP_TELEMETRY_KINDS } from './kinds';

/** iKeys the request names: envelope keys for track, the ikey query parameter for live metrics. */
function requestIkeys(ctx: RuleContext): string[] {
  const fromEnvelopes = ctx.analysis.envelopes?.iKeys ?? [];
  const path = ctx.exchange.request.path;
  const fromQuery = path.includes('?') ? formFields(path, ['ikey', 'iKey', 'instrumentationKey']) : {};
  const queried = Object.values(fromQuery).filter((v): v is string => typeof v === 'string');
  return [...new Set([...fromEnvelopes, ...queried.map(ensureMaskedIkey)])];
}

/** Compared masked: the capture never holds a full key, and a 8+4 hex match is precise enough here. */
export const ikeyMismatchRule: Rule = {
  name: 'ikey-mismatch',
  emits: ['IKEY_MISMATCH'],
  evaluate(ctx) {
    const expected = ctx.options.connectionStrings.map((cs) => cs.maskedIkey.toLowerCase());
    if (expected.length === 0 || !APP_TELEMETRY_KINDS.includes(ctx.analysis.kind)) return [];
    const unexpected = requestIkeys(ctx).filter(
      (k) => !isStatsbeatIkey(k) && !expected.includes(k.toLowerCase()),
    );
    if (unexpected.length === 0) return [];
    return [
      {
        id: 'IKEY_MISMATCH',
        title: `Telemetry for instrumentation key ${unexpected.join(', ')}, not the connection string's ${[...new Set(expected)].join(', ')}`,
        evidence: {
          ...requestEvidence(ctx),
          status: ctx.status ?? null,
          requestIkeys: unexpected,
          expectedIkeys: [...new Set(expected)],
        },
      },
    ];
  },
};
