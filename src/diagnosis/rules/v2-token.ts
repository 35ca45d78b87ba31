import { reasonOf, requestEvidence, responseEvidence } from '../evidence';
import type { Rule } from '../rule';
import { authRejection, hasBearerJwt } from './auth-rejection';

/**
 * /v2/track with a bearer token: the sender has a credential but posts to the API that cannot
 * use it. Matched on the path and the answer (any authentication refusal), not on 400 alone.
 */
export const v2TokenRule: Rule = {
  name: 'v2-token',
  emits: ['TOKEN_SENT_TO_V2_PATH'],
  evaluate(ctx) {
    if (ctx.analysis.kind !== 'track-v2' || !hasBearerJwt(ctx)) return [];
    const refused = authRejection(ctx) !== false;
    const reason = reasonOf(ctx);
    const answer =
      ctx.status === undefined ? 'no answer yet' : `${ctx.status}${reason ? ` "${reason}"` : ''}`;
    return [
      {
        id: 'TOKEN_SENT_TO_V2_PATH',
        severity: refused ? undefined : 'warning',
        title: refused
          ? `/v2/track refused with ${answer} although it carries a bearer token: the sender has a credential but must post to /v2.1/track (upgrade it)`
          : `Bearer token sent to /v2/track (${answer}): that API ignores tokens, so this breaks once local authentication is disabled; post to /v2.1/track`,
        evidence: {
          ...requestEvidence(ctx),
          ...responseEvidence(ctx),
          hasToken: true,
          fingerprint: ctx.token.authorization?.fingerprint ?? null,
        },
      },
    ];
  },
};
