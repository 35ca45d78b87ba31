import { requestEvidence } from '../evidence';
import type { Rule } from '../rule';

/** Statsbeat is the SDK's own health report: never flagged for a missing token. */
export const selfTelemetryRule: Rule = {
  name: 'self-telemetry',
  emits: ['SDK_SELF_TELEMETRY'],
  evaluate(ctx) {
    if (ctx.analysis.kind !== 'statsbeat') return [];
    const envelopes = ctx.analysis.envelopes;
    return [
      {
        id: 'SDK_SELF_TELEMETRY',
        title: `SDK self-telemetry (statsbeat): ${envelopes?.count ?? 0} envelope(s), ${ctx.token.present ? 'with' : 'without'} a token`,
        evidence: {
          ...requestEvidence(ctx),
          status: ctx.status ?? null,
          envelopes: envelopes?.count ?? 0,
          iKeys: envelopes?.iKeys ?? [],
          hasToken: ctx.token.present,
        },
      },
    ];
  },
};
