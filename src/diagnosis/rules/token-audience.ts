import { audienceEvidence, requestEvidence } from '../evidence';
import type { Rule } from '../rule';
import { TOKEN_BEARING_KINDS } from './kinds';

export const tokenAudienceRule: Rule = {
  name: 'token-audience',
  emits: ['TOKEN_WRONG_AUDIENCE'],
  evaluate(ctx) {
    const { token } = ctx;
    if (!TOKEN_BEARING_KINDS.includes(ctx.analysis.kind) || !token.claims || token.audienceOk) return [];
    const aud = token.claims.aud;
    const shown = aud === undefined ? '(none)' : Array.isArray(aud) ? aud.join(', ') : aud;
    // Accepted anyway (local authentication still on): a warning of what breaks later, not a refusal.
    const accepted = ctx.status !== undefined && ctx.status >= 200 && ctx.status < 300;
    return [
      {
        id: 'TOKEN_WRONG_AUDIENCE',
        severity: accepted ? 'warning' : undefined,
        title: `Bearer token audience ${shown} is not ${token.expectedAudiences.join(' or ')} (${token.expectedAudienceSource})${accepted ? `; the service accepted this batch (${ctx.status}), but an Entra-only resource will refuse it` : ''}`,
        evidence: {
          ...requestEvidence(ctx),
          status: ctx.status ?? null,
          aud: audienceEvidence(aud),
          expectedAudiences: token.expectedAudiences,
          expectedFrom: token.expectedAudienceSource,
          tid: token.claims.tid ?? null,
          fingerprint: token.authorization?.fingerprint ?? null,
        },
      },
    ];
  },
};
