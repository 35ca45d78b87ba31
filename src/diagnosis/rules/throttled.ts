import { requestEvidence, responseEvidence } from '../evidence';
import { THROTTLE_STATUSES } from '../patterns';
import type { Rule } from '../rule';
import { APP_TELEMETRY_KINDS } from './kinds';

export const throttledRule: Rule = {
  name: 'throttled',
  emits: ['THROTTLED'],
  evaluate(ctx) {
    const status = ctx.status;
    if (!APP_TELEMETRY_KINDS.includes(ctx.analysis.kind) || status === undefined) return [];
    if (!THROTTLE_STATUSES.includes(status)) return [];
    const dailyQuota = status !== 429;
    const retryAfter = ctx.analysis.retryAfter ?? null;
    return [
      {
        id: 'THROTTLED',
        title: `${status}: ${dailyQuota ? 'daily cap reached, telemetry refused' : 'rate limit exceeded'}${retryAfter ? ` (Retry-After ${retryAfter})` : ''}`,
        evidence: { ...requestEvidence(ctx), ...responseEvidence(ctx), retryAfter, dailyQuota },
      },
    ];
  },
};
