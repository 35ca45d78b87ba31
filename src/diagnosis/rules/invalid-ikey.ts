import { requestEvidence, responseEvidence } from '../evidence';
import { INVALID_IKEY_TEXT } from '../patterns';
import type { Rule, RuleContext } from '../rule';
import { APP_TRACK_KINDS } from './kinds';

export function saysInvalidIkey(ctx: RuleContext): boolean {
  if (ctx.status === undefined || ctx.status < 400) return false;
  const texts = [
    ctx.exchange.response?.reason ?? '',
    ctx.analysis.serviceMessage ?? '',
    ...(ctx.analysis.ingestionResponse?.errors.map((e) => e.message ?? '') ?? []),
  ];
  return texts.some((t) => INVALID_IKEY_TEXT.test(t));
}

export const invalidIkeyRule: Rule = {
  name: 'invalid-ikey',
  emits: ['INVALID_INSTRUMENTATION_KEY'],
  evaluate(ctx) {
    if (!APP_TRACK_KINDS.includes(ctx.analysis.kind) || !saysInvalidIkey(ctx)) return [];
    const iKeys = ctx.analysis.envelopes?.iKeys ?? [];
    return [
      {
        id: 'INVALID_INSTRUMENTATION_KEY',
        title: `${ctx.status} "Invalid instrumentation key" for ${iKeys.join(', ') || 'this batch'}`,
        evidence: { ...requestEvidence(ctx), ...responseEvidence(ctx), iKeys },
      },
    ];
  },
};
