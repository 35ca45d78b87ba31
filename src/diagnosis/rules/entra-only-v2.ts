import { reasonOf, requestEvidence, responseEvidence } from '../evidence';
import { AUTH_REJECTION_STATUSES, AUTH_TEXT, INVALID_IKEY_TEXT } from '../patterns';
import type { Rule, RuleContext } from '../rule';

/**
 * The service's answer for /v2/track on an Entra-only resource is not settled (400 "Authentication
 * not supported" per the docs, 401 or 403 per other sources), so any auth-shaped rejection counts;
 * a 400 counts unless the answer explains it otherwise (bad iKey, per-item schema errors).
 */
function isAuthRejection(ctx: RuleContext): boolean {
  const status = ctx.status;
  if (status === undefined) return false;
  if (AUTH_REJECTION_STATUSES.includes(status)) return true;
  if (status !== 400) return false;
  const reason = ctx.exchange.response?.reason ?? '';
  const message = ctx.analysis.serviceMessage ?? '';
  if (INVALID_IKEY_TEXT.test(reason) || INVALID_IKEY_TEXT.test(message)) return false;
  if (AUTH_TEXT.test(reason) || AUTH_TEXT.test(message)) return true;
  const perItem = ctx.analysis.ingestionResponse?.errors.some((e) => e.index !== undefined) ?? false;
  return !perItem;
}

export const entraOnlyV2Rule: Rule = {
  name: 'entra-only-v2',
  emits: ['ENTRA_ONLY_RESOURCE_V2_PATH'],
  evaluate(ctx) {
    if (ctx.analysis.kind !== 'track-v2' || !isAuthRejection(ctx)) return [];
    const reason = reasonOf(ctx);
    return [
      {
        id: 'ENTRA_ONLY_RESOURCE_V2_PATH',
        title: `/v2/track refused with ${ctx.status}${reason ? ` "${reason}"` : ''}: the resource requires Entra ID, which only /v2.1/track supports`,
        evidence: { ...requestEvidence(ctx), ...responseEvidence(ctx), hasToken: ctx.token.present },
      },
    ];
  },
};
