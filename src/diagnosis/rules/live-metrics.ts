import { identityEvidence, requestEvidence, responseEvidence } from '../evidence';
import { AUTH_REJECTION_STATUSES } from '../patterns';
import type { Rule } from '../rule';

export const liveMetricsRule: Rule = {
  name: 'live-metrics',
  emits: ['LIVE_METRICS_UNAUTHORIZED'],
  evaluate(ctx) {
    const { kind } = ctx.analysis;
    if ((kind !== 'live-ping' && kind !== 'live-post') || ctx.status === undefined) return [];
    if (!AUTH_REJECTION_STATUSES.includes(ctx.status)) return [];
    const hasToken = ctx.token.present;
    return [
      {
        id: 'LIVE_METRICS_UNAUTHORIZED',
        title: `Live metrics ${kind === 'live-ping' ? 'ping' : 'post'} refused with ${ctx.status} ${hasToken ? 'despite a token' : 'without a token'}`,
        evidence: {
          ...requestEvidence(ctx),
          ...responseEvidence(ctx),
          hasToken,
          ...identityEvidence(ctx.token.claims),
        },
      },
    ];
  },
};
