import { redirectRefusalReason } from '../../ingestion/redirect';
import { requestEvidence } from '../evidence';
import type { Rule } from '../rule';
import { APP_TELEMETRY_KINDS } from './kinds';

export const redirectRule: Rule = {
  name: 'redirect',
  emits: ['INGESTION_REDIRECT'],
  evaluate(ctx) {
    const status = ctx.status;
    if (!APP_TELEMETRY_KINDS.includes(ctx.analysis.kind) || (status !== 307 && status !== 308)) return [];
    const location = ctx.analysis.location;
    const refusal = redirectRefusalReason(location);
    return [
      {
        id: 'INGESTION_REDIRECT',
        severity: refusal ? 'warning' : undefined,
        title: refusal
          ? `${status} redirect that newer Java and JavaScript SDKs will refuse: ${refusal}`
          : `${status} redirect to ${location}`,
        evidence: { ...requestEvidence(ctx), status, location: location ?? null, refusal: refusal ?? null },
      },
    ];
  },
};
