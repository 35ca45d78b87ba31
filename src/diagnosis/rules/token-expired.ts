import { isoFromSeconds, requestEvidence } from '../evidence';
import type { Rule } from '../rule';
import { CLOCK_SKEW_MS } from '../token-facts';
import { TOKEN_BEARING_KINDS } from './kinds';

/** exp/nbf against the request time, whatever the service answered. */
export const tokenExpiredRule: Rule = {
  name: 'token-expired',
  emits: ['TOKEN_EXPIRED'],
  evaluate(ctx) {
    const { token, now } = ctx;
    if (!TOKEN_BEARING_KINDS.includes(ctx.analysis.kind) || !token.claims) return [];
    if (token.time !== 'expired' && token.time !== 'expired-within-skew' && token.time !== 'not-yet-valid')
      return [];
    const { exp, nbf } = token.claims;
    const evidence = {
      ...requestEvidence(ctx),
      status: ctx.status ?? null,
      requestTime: new Date(now).toISOString(),
      exp: isoFromSeconds(exp),
      nbf: isoFromSeconds(nbf),
      clockSkewSeconds: CLOCK_SKEW_MS / 1000,
      fingerprint: token.authorization?.fingerprint ?? null,
    };
    if (token.time === 'not-yet-valid') {
      const early = Math.round(((nbf ?? 0) * 1000 - now) / 1000);
      return [
        {
          id: 'TOKEN_EXPIRED',
          title: `Bearer token not valid until ${isoFromSeconds(nbf) ?? `nbf ${nbf}`} (${early} s after the request): check the sender's clock`,
          evidence: { ...evidence, secondsEarly: early },
        },
      ];
    }
    const ago = Math.round((now - (exp ?? 0) * 1000) / 1000);
    const withinSkew = token.time === 'expired-within-skew';
    return [
      {
        id: 'TOKEN_EXPIRED',
        severity: withinSkew ? 'warning' : undefined,
        title: withinSkew
          ? `Bearer token expired ${ago} s before the request (within the ${CLOCK_SKEW_MS / 60000}-minute clock tolerance)`
          : `Bearer token expired ${ago} s before the request (exp ${isoFromSeconds(exp) ?? exp})`,
        evidence: { ...evidence, secondsExpired: ago },
      },
    ];
  },
};
