import { AUTH_REJECTION_STATUSES, AUTH_TEXT, INVALID_IKEY_TEXT } from '../patterns';
import type { RuleContext } from '../rule';

/**
 * Did the service refuse the whole request for authentication? 'certain' for 401 and 403, and for
 * a 400 whose reason, message or item errors speak of authentication (the article's 400
 * "Authentication not supported"); 'likely' for a 400 that names no cause and judged no item on its
 * own (a whole-batch refusal, the Python case); false for everything else, including a 400 for an
 * invalid instrumentation key or for per-item schema errors.
 */
export function authRejection(ctx: RuleContext): 'certain' | 'likely' | false {
  const status = ctx.status;
  if (status === undefined) return false;
  if (AUTH_REJECTION_STATUSES.includes(status)) return 'certain';
  if (status !== 400) return false;
  const errors = ctx.analysis.ingestionResponse?.errors ?? [];
  const texts = [
    ctx.exchange.response?.reason ?? '',
    ctx.analysis.serviceMessage ?? '',
    ...errors.map((e) => e.message ?? ''),
  ];
  if (texts.some((t) => INVALID_IKEY_TEXT.test(t))) return false;
  if (texts.some((t) => AUTH_TEXT.test(t))) return 'certain';
  return errors.some((e) => e.index !== undefined) ? false : 'likely';
}

/** A bearer token that decodes as a JWT (whatever its claims say). */
export function hasBearerJwt(ctx: RuleContext): boolean {
  return Boolean(ctx.token.claims);
}
