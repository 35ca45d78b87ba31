import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt } from '../ingestion/jwt';
import type { JwtClaims } from '../model/exchange';
import type { TokenSigningKey } from './token-minting';

/** How the ingestion service sees a request's credentials. */
export type TokenVerdict =
  | { kind: 'none' }
  | { kind: 'invalid'; why: string; claims?: JwtClaims }
  | { kind: 'forbidden'; why: string; claims: JwtClaims }
  | { kind: 'valid'; claims: JwtClaims };

export interface TokenRules {
  /** Accepted `aud` values; compared without trailing slashes. */
  audiences: readonly string[];
  /** Object ids / app ids holding Monitoring Metrics Publisher (lower-case). */
  publishers: ReadonlySet<string>;
  clockSkewSeconds: number;
  /** 'ours': only RS256 tokens signed by the fake Entra are valid; 'any': signatures are not checked. */
  signatures: 'any' | 'ours';
  signingKey?: TokenSigningKey;
}

/** `https://monitor.azure.com/` and `https://monitor.azure.com` name the same audience. */
function trimSlash(value: string): string {
  return value.trim().replace(/\/$/, '').toLowerCase();
}

function audienceMatches(aud: JwtClaims['aud'], audiences: readonly string[]): boolean {
  const wanted = new Set(audiences.map(trimSlash));
  const given = aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
  return given.some((a) => wanted.has(trimSlash(a)));
}

function signatureProblem(token: string, rules: TokenRules): string | undefined {
  if (rules.signatures === 'any') return undefined;
  const [header, payload, signature] = token.split('.');
  if (!rules.signingKey || !signature) return 'the token is not signed';
  try {
    if (rules.signingKey.verify(`${header}.${payload}`, signature)) return undefined;
  } catch {
    /* falls through */
  }
  return 'the signature does not verify with the fake Entra key';
}

/** Reads the bearer token of a request and decides 401 / 403 / ok, as the service would. */
export function checkToken(
  headers: IncomingHttpHeaders,
  rules: TokenRules,
  now = Date.now() / 1000,
): TokenVerdict {
  const header = headers.authorization;
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return { kind: 'invalid', why: 'the Authorization header is not "Bearer <token>"' };
  const token = match[1];
  const { jwt, error } = decodeJwt(token);
  if (!jwt) return { kind: 'invalid', why: `the token is not a JWT: ${error}` };
  const claims = jwt.claims;
  const problem = signatureProblem(token, rules);
  if (problem) return { kind: 'invalid', why: problem, claims };
  if (claims.exp === undefined) return { kind: 'invalid', why: 'the token has no exp claim', claims };
  if (claims.exp + rules.clockSkewSeconds <= now)
    return { kind: 'invalid', why: 'the token has expired', claims };
  if (claims.nbf !== undefined && claims.nbf - rules.clockSkewSeconds > now) {
    return { kind: 'invalid', why: 'the token is not yet valid (nbf is in the future)', claims };
  }
  if (!audienceMatches(claims.aud, rules.audiences)) {
    return { kind: 'invalid', why: `the audience ${JSON.stringify(claims.aud)} is not accepted`, claims };
  }
  const principals = [claims.oid, claims.appid, claims.azp].filter((p): p is string => typeof p === 'string');
  if (!principals.some((p) => rules.publishers.has(p.toLowerCase()))) {
    return { kind: 'forbidden', why: 'the principal does not hold Monitoring Metrics Publisher', claims };
  }
  return { kind: 'valid', claims };
}
