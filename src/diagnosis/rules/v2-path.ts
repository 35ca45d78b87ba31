import { requestEvidence } from '../evidence';
import type { Rule } from '../rule';
import { hasBearerJwt } from './auth-rejection';

/** /v2/track without a token: works only while the resource accepts instrumentation keys. */
export const v2PathRule: Rule = {
  name: 'v2-path',
  emits: ['V2_PATH_CANNOT_CARRY_ENTRA'],
  evaluate(ctx) {
    // With a bearer token the sender needs a new path, not a credential: TOKEN_SENT_TO_V2_PATH says so.
    if (ctx.analysis.kind !== 'track-v2' || hasBearerJwt(ctx)) return [];
    const title = ctx.options.expectEntra
      ? 'Telemetry sent to /v2/track: the Entra-only resource (--expect-entra) will refuse it'
      : 'Telemetry sent to /v2/track, which cannot carry an Entra ID token';
    return [
      {
        id: 'V2_PATH_CANNOT_CARRY_ENTRA',
        title,
        evidence: {
          ...requestEvidence(ctx),
          status: ctx.status ?? null,
          hasToken: ctx.token.present,
          expectEntra: ctx.options.expectEntra,
        },
      },
    ];
  },
};
