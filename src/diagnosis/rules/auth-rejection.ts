import { AUTH_REJECTION_STATUSES, AUTH_TEXT, INVALID_IKEY_TEXT } from '../patterns';
import type { RuleContext } from '../rule';

/**
 * Did the service refuse the whole request for authentication? 'certain' for 401 and 403, and for
 * a 400 whose reason, message or item errors speak of authentication (the article's 400
 * "Authentication not supported"); 'likely' for a 400 that names no cause and judged no item on its
 * own (a whole-batch refusal, the Python case); false for everything else, including a 400 for an
 * invalid instrumentation key, for per-item schema errors, or whose answer names another cause.
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
  if (errors.some((e) => e.index !== undefined)) return false;
  // The service's own answer names another cause for the whole batch ("Invalid JSON", ...): a 400
  // is only likely the authentication refusal when it names none.
  return errors.some((e) => e.message?.trim()) ? false : 'likely';
}

/** A bearer token that decodes as a JWT (whatever its claims say). */
export function hasBearerJwt(ctx: RuleContext): boolean {
  return Boolean(ctx.token.claims);
}
