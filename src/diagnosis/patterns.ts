/** Texts the service or Entra ID use, matched loosely: wording varies between versions. */
export const INVALID_IKEY_TEXT = /invalid\s+instrumentation\s*key/i;
/**
 * Words of an authentication refusal. Whole words only: a per-item schema error naming a field such
 * as ai.user.authUserId, or a parser's "Unexpected token", is no authentication refusal; "auth",
 * "invalid token" and "token expired" are.
 */
export const AUTH_TEXT =
  /\bauth\b|\bauthenticat|\b(un)?authoriz|\bentra\b|\baad\b|\bbearer\b|(?<!unexpected\s)\btokens?\b|\bcredential/i;
export const SAMPLED_OUT_TEXT = /sampled\s+out/i;
/** The identity itself is unknown; a bare "Not Found" (a wrong path, a page of a gateway) is not that. */
export const IDENTITY_NOT_FOUND_TEXT = /identity not found|no user assigned|managed identity found/i;

export const AUTH_REJECTION_STATUSES = [401, 403];
export const THROTTLE_STATUSES = [402, 429, 439];
export const TRANSIENT_STATUSES = [408, 500, 502, 503, 504];
/** Per-item statusCodes that SDKs retry (Java, JS and Python retry 502 and 504 too; ingestion-facts §3.2). */
export const RETRIABLE_ITEM_STATUSES = [408, 429, 439, 500, 502, 503, 504];
