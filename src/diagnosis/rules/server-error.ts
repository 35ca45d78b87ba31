import { reasonOf, requestEvidence, responseEvidence } from '../evidence';
import { TRANSIENT_STATUSES } from '../patterns';
import type { Rule } from '../rule';
import { APP_TELEMETRY_KINDS } from './kinds';

/** Transient answers of the real service (the proxy's own 502/504 have no response record). */
export const serverErrorRule: Rule = {
  name: 'server-error',
  emits: ['INGESTION_SERVER_ERROR'],
  evaluate(ctx) {
    const status = ctx.status;
    if (!APP_TELEMETRY_KINDS.includes(ctx.analysis.kind) || status === undefined) return [];
    if (!TRANSIENT_STATUSES.includes(status)) return [];
    return [
      {
        id: 'INGESTION_SERVER_ERROR',
        title: `The service answered ${status}${reasonOf(ctx) ? ` "${reasonOf(ctx)}"` : ''}; the SDK will retry`,
        evidence: { ...requestEvidence(ctx), ...responseEvidence(ctx) },
      },
    ];
  },
};
