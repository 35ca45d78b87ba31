import { createHash } from 'node:crypto';
import type { AuthorizationSummary, JwtClaims, JwtSummary } from '../model/exchange';
import { sharedOutputValue } from './redact-output';

const CLAIM_STRINGS = ['iss', 'tid', 'appid', 'azp', 'oid', 'sub', 'idtyp', 'ver', 'scp'] as const;
const CLAIM_NUMBERS = ['exp', 'nbf', 'iat'] as const;

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps only the claims that say who and for what, never anything that could be replayed. */
function pickClaims(raw: Record<string, unknown>): JwtClaims {
  const claims: JwtClaims = {};
  const aud = raw.aud;
  if (typeof aud === 'string') claims.aud = aud;
  else if (Array.isArray(aud)) claims.aud = aud.filter((a): a is string => typeof a === 'string');
  for (const k of CLAIM_STRINGS) if (typeof raw[k] === 'string') claims[k] = raw[k] as string;
  for (const k of CLAIM_NUMBERS) if (typeof raw[k] === 'number') claims[k] = raw[k] as number;
  if (Array.isArray(raw.roles)) claims.roles = raw.roles.filter((r): r is string => typeof r === 'string');
  return claims;
}

/** Decodes a JWT's header and non-secret claims without verifying it; tolerant of garbage. */
export function decodeJwt(token: string): { jwt?: JwtSummary; error?: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: `expected 3 dot-separated parts, found ${parts.length}` };
  const header = decodeSegment(parts[0] ?? '');
  if (!header) return { error: 'header is not base64url JSON' };
  const payload = decodeSegment(parts[1] ?? '');
  if (!payload) return { error: 'payload is not base64url JSON' };
  const h: JwtSummary['header'] = {};
  for (const k of ['alg', 'kid', 'typ', 'x5t'] as const)
    if (typeof header[k] === 'string') h[k] = header[k] as string;
  return { jwt: { header: h, claims: pickClaims(payload) } };
}

export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

// An SDK reuses one token for up to an hour: decode each distinct header value once.
const SUMMARY_CACHE_LIMIT = 256;
const summaryCache = new Map<string, AuthorizationSummary>();

/** Turns an Authorization header value into what may be logged (cached, bounded). */
export function summarizeAuthorization(value: string): AuthorizationSummary {
  const hit = summaryCache.get(value);
  if (hit) return hit;
  // Frozen all the way down and shared by every exchange that sends this header: the output
  // redaction masks it once per line shape, not once per line (sharedOutputValue).
  const summary = sharedOutputValue(deepFreeze(decodeAuthorization(value)));
  if (summaryCache.size >= SUMMARY_CACHE_LIMIT)
    summaryCache.delete(summaryCache.keys().next().value as string);
  summaryCache.set(value, summary);
  return summary;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Scheme names a value of one word may be (`Authorization: Bearer` with the token left out). */
const BARE_SCHEMES = /^(bearer|basic|digest|negotiate|ntlm|sharedaccesssignature|sharedkey)$/i;

function decodeAuthorization(value: string): AuthorizationSummary {
  const trimmed = value.trim();
  // RFC 7235 puts one space after the scheme; a tab is split on too, so a credential never reads as a scheme.
  const gap = /[ \t]/.exec(trimmed)?.index ?? -1;
  if (gap === -1 && !BARE_SCHEMES.test(trimmed)) return bareCredential(value, trimmed);
  const scheme = gap === -1 ? trimmed : trimmed.slice(0, gap);
  const credential = gap === -1 ? '' : trimmed.slice(gap + 1).trim();
  const summary: AuthorizationSummary = {
    scheme,
    fingerprint: fingerprint(value),
    length: credential.length,
  };
  if (scheme.toLowerCase() === 'bearer') {
    if (!credential) summary.malformed = 'no token after "Bearer"';
    else {
      const { jwt, error } = decodeJwt(credential);
      if (jwt) summary.jwt = jwt;
      else summary.malformed = error;
    }
  }
  return summary;
}

/**
 * A value of one word that is no scheme name is a credential sent without its scheme (a token
 * pasted as the whole header): it is never kept as the "scheme", which is logged as it is.
 */
function bareCredential(value: string, credential: string): AuthorizationSummary {
  const isJwt = decodeJwt(credential).jwt !== undefined;
  return {
    scheme: '',
    fingerprint: fingerprint(value),
    length: credential.length,
    malformed: isJwt
      ? 'a JWT without the "Bearer " scheme in front of it'
      : 'no scheme: the value is not "<scheme> <credential>"',
  };
}
