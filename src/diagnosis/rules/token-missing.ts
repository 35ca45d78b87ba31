import { requestEvidence, responseEvidence } from '../evidence';
import type { Rule, RuleFinding } from '../rule';
import { authRejection } from './auth-rejection';

/** /v2.1/track without a token: refused by an Entra-only resource, or flagged early with --expect-entra. */
export const tokenMissingRule: Rule = {
  name: 'token-missing',
  emits: ['TOKEN_MISSING'],
  evaluate(ctx) {
    if (ctx.analysis.kind !== 'track-v2.1' || ctx.token.present) return [];
    const evidence = { ...requestEvidence(ctx), ...responseEvidence(ctx), authorizationHeader: false };
    const status = ctx.status;
    const rejection = authRejection(ctx);
    if (rejection) {
      return [
        {
          id: 'TOKEN_MISSING',
          severity: rejection === 'likely' ? 'warning' : undefined,
          title: `${status} on /v2.1/track without an Authorization header: the SDK sent no token (it has no credential, or its credential could not get a token)`,
          evidence,
        },
      ];
    }
    if (!ctx.options.expectEntra) return [];
    const finding: RuleFinding = {
      id: 'TOKEN_MISSING',
      severity: 'warning',
      title:
        status !== undefined && status < 300
          ? `No token on /v2.1/track although Entra ID is expected; the service answered ${status}, so local authentication still seems enabled`
          : 'No token on /v2.1/track although the resource expects Entra ID (--expect-entra): it will be refused',
      evidence: { ...evidence, expectEntra: true },
    };
    return [finding];
  },
};
