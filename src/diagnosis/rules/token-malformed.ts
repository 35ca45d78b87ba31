import { requestEvidence } from '../evidence';
import type { Rule } from '../rule';
import { TOKEN_BEARING_KINDS } from './kinds';

export const tokenMalformedRule: Rule = {
  name: 'token-malformed',
  emits: ['TOKEN_MALFORMED'],
  evaluate(ctx) {
    const { token } = ctx;
    if (!TOKEN_BEARING_KINDS.includes(ctx.analysis.kind) || !token.present || !token.malformed) return [];
    return [
      {
        id: 'TOKEN_MALFORMED',
        title: `Authorization header is not a usable bearer JWT: ${token.malformed}`,
        evidence: {
          ...requestEvidence(ctx),
          status: ctx.status ?? null,
          scheme: token.authorization?.scheme.slice(0, 20) ?? null,
          reason: token.malformed,
          credentialLength: token.authorization?.length ?? null,
          fingerprint: token.authorization?.fingerprint ?? null,
        },
      },
    ];
  },
};
