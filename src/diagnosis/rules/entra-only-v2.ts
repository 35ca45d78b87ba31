import { reasonOf, requestEvidence, responseEvidence } from '../evidence';
import type { Rule } from '../rule';
import { authRejection, hasBearerJwt } from './auth-rejection';

/**
 * /v2/track without a bearer token, refused for authentication. The answer differs between senders
 * (400 "Authentication not supported" in the article, 401 for the classic .NET SDK), so the rule
 * matches the path and an authentication refusal, never a status alone.
 */
export const entraOnlyV2Rule: Rule = {
  name: 'entra-only-v2',
  emits: ['ENTRA_ONLY_RESOURCE_V2_PATH'],
  evaluate(ctx) {
    if (ctx.analysis.kind !== 'track-v2' || hasBearerJwt(ctx)) return [];
    const rejection = authRejection(ctx);
    if (!rejection) return [];
    const reason = reasonOf(ctx);
    return [
      {
        id: 'ENTRA_ONLY_RESOURCE_V2_PATH',
        severity: rejection === 'likely' ? 'warning' : undefined,
        title: `/v2/track refused with ${ctx.status}${reason ? ` "${reason}"` : ''}: the resource ${rejection === 'likely' ? 'most likely ' : ''}requires Entra ID, which only /v2.1/track supports`,
        evidence: { ...requestEvidence(ctx), ...responseEvidence(ctx), hasToken: ctx.token.present },
      },
    ];
  },
};
