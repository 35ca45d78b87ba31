import {
  audienceEvidence,
  identityEvidence,
  isoFromSeconds,
  requestEvidence,
  responseEvidence,
} from '../evidence';
import type { Rule } from '../rule';
import { tokenLooksGood } from '../token-facts';

/** 401 although the token looks right: the service could not validate it (tenant, signature, clock). */
export const tokenRejectedRule: Rule = {
  name: 'token-rejected',
  emits: ['TOKEN_REJECTED'],
  evaluate(ctx) {
    const { token } = ctx;
    if (ctx.analysis.kind !== 'track-v2.1' || ctx.status !== 401 || !tokenLooksGood(token)) return [];
    return [
      {
        id: 'TOKEN_REJECTED',
        // Expired within the clock tolerance is not "current": TOKEN_EXPIRED says so on the same line.
        title:
          token.time === 'expired-within-skew'
            ? '401 on /v2.1/track with a right-audience token that expired less than the clock tolerance before: the service could not validate it (its expiry may be why)'
            : '401 on /v2.1/track with a current, right-audience token: the service could not validate it',
        evidence: {
          ...requestEvidence(ctx),
          ...responseEvidence(ctx),
          ...identityEvidence(token.claims),
          aud: audienceEvidence(token.claims?.aud),
          exp: isoFromSeconds(token.claims?.exp),
          alg: token.authorization?.jwt?.header.alg ?? null,
          fingerprint: token.authorization?.fingerprint ?? null,
        },
      },
    ];
  },
};
