import type { AuthorizationSummary, Exchange, JwtClaims } from '../model/exchange';
import type { ConnectionString } from '../ingestion/connection-string';
import { CLOUDS, cloudOfHost } from '../ingestion/clouds';
import { connectionStringHosts } from '../ingestion/connection-string';
import { headerValue } from '../ingestion/headers';
import { summarizeAuthorization } from '../ingestion/jwt';

/**
 * Tolerance for clock differences between the sender, this proxy and the service. Token
 * validators in Azure commonly allow 5 minutes, so a token is only called expired (error) when
 * exp is more than this before the request time, and not yet valid when nbf is more than this after it.
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export type TokenTimeState = 'valid' | 'expired' | 'expired-within-skew' | 'not-yet-valid' | 'unknown';

export interface TokenFacts {
  /** An Authorization header was sent. */
  present: boolean;
  authorization?: AuthorizationSummary;
  /** Why it is not a usable bearer JWT (non-Bearer scheme, not decodable). */
  malformed?: string;
  claims?: JwtClaims;
  time: TokenTimeState;
  /** Audiences accepted for this request (normalised), and where they came from. */
  expectedAudiences: string[];
  expectedAudienceSource: 'connection string' | 'cloud of the host' | 'any Azure Monitor cloud';
  /** aud claim values (normalised). */
  audiences: string[];
  audienceOk: boolean;
}

export function normalizeAudience(aud: string): string {
  return aud.trim().replace(/\/+$/, '').toLowerCase();
}

function expectedAudiences(
  host: string,
  connectionStrings: ConnectionString[],
): Pick<TokenFacts, 'expectedAudiences' | 'expectedAudienceSource'> {
  const h = host.toLowerCase();
  const matching = connectionStrings.filter((cs) => connectionStringHosts(cs).includes(h));
  if (matching.length) {
    return {
      expectedAudiences: unique(matching.map((cs) => normalizeAudience(cs.audience))),
      expectedAudienceSource: 'connection string',
    };
  }
  const cloud = cloudOfHost(h);
  if (cloud)
    return {
      expectedAudiences: [normalizeAudience(cloud.audience)],
      expectedAudienceSource: 'cloud of the host',
    };
  // A host we cannot place (a test double, a private link name): accept any Azure Monitor audience.
  const all = [...CLOUDS.map((c) => c.audience), ...connectionStrings.map((cs) => cs.audience)];
  return {
    expectedAudiences: unique(all.map(normalizeAudience)),
    expectedAudienceSource: 'any Azure Monitor cloud',
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function timeState(claims: JwtClaims, now: number): TokenTimeState {
  if (claims.nbf !== undefined && claims.nbf * 1000 - CLOCK_SKEW_MS > now) return 'not-yet-valid';
  if (claims.exp === undefined) return 'unknown';
  const exp = claims.exp * 1000;
  if (exp + CLOCK_SKEW_MS < now) return 'expired';
  if (exp < now) return 'expired-within-skew';
  return 'valid';
}

/** Reads what the Authorization of a request says, once, for every token rule. */
export function tokenFacts(
  exchange: Exchange,
  connectionStrings: ConnectionString[],
  now: number,
): TokenFacts {
  // The capture replaces the header by its summary; if a raw header slipped through, summarise it here.
  const raw = exchange.request.authorization
    ? undefined
    : headerValue(exchange.request.headers, 'authorization');
  const authorization =
    exchange.request.authorization ?? (raw !== undefined ? summarizeAuthorization(raw) : undefined);
  const expected = expectedAudiences(exchange.request.host, connectionStrings);
  const facts: TokenFacts = {
    present: authorization !== undefined,
    time: 'unknown',
    audiences: [],
    audienceOk: false,
    ...expected,
  };
  if (!authorization) return facts;
  facts.authorization = authorization;
  if (authorization.scheme.toLowerCase() !== 'bearer') {
    // No scheme at all: the summary says what was sent instead (a bare JWT, a bare credential).
    facts.malformed = authorization.scheme
      ? `scheme is "${authorization.scheme.slice(0, 20)}", not Bearer`
      : (authorization.malformed ?? 'no scheme before the credential');
    return facts;
  }
  if (!authorization.jwt) {
    facts.malformed = authorization.malformed ?? 'the bearer credential is not a JWT';
    return facts;
  }
  const claims = authorization.jwt.claims;
  facts.claims = claims;
  facts.time = timeState(claims, now);
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  facts.audiences = aud.map(normalizeAudience);
  facts.audienceOk = facts.audiences.some((a) => facts.expectedAudiences.includes(a));
  return facts;
}

/** The token is usable as far as the traffic can tell: decodes, current, right audience. */
export function tokenLooksGood(token: TokenFacts): boolean {
  return (
    Boolean(token.claims) &&
    token.audienceOk &&
    (token.time === 'valid' || token.time === 'unknown' || token.time === 'expired-within-skew')
  );
}
