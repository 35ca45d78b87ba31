import { audienceEvidence, identityEvidence, requestEvidence, responseEvidence } from '../evidence';
import type { Rule } from '../rule';
import { tokenLooksGood } from '../token-facts';

/** 403 with a usable token: the identity has no Monitoring Metrics Publisher role on this resource. */
export const roleMissingRule: Rule = {
  name: 'role-missing',
  emits: ['ROLE_MISSING'],
  evaluate(ctx) {
    const { token } = ctx;
    if (ctx.analysis.kind !== 'track-v2.1' || ctx.status !== 403 || !tokenLooksGood(token)) return [];
    const identity = identityEvidence(token.claims);
    return [
      {
        id: 'ROLE_MISSING',
        // Expired within the clock tolerance is not "valid": TOKEN_EXPIRED says so on the same line.
        title: `403 with a ${token.time === 'expired-within-skew' ? 'right-audience token (expired less than the clock tolerance before)' : 'valid token'}: identity oid=${identity.oid ?? '?'} appid=${identity.appid ?? '?'} (tenant ${identity.tid ?? '?'}) lacks Monitoring Metrics Publisher on this resource`,
        evidence: {
          ...requestEvidence(ctx),
          ...responseEvidence(ctx),
          ...identity,
          aud: audienceEvidence(token.claims?.aud),
          fingerprint: token.authorization?.fingerprint ?? null,
        },
      },
    ];
  },
};
