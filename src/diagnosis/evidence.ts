import type { JwtClaims } from '../model/exchange';
import type { EvidenceValue } from '../model/finding';
import { ensureMaskedIkey } from '../ingestion/envelopes';
import { maskGuidsInText } from '../ingestion/mask';
import type { RuleContext } from './rule';

export type Evidence = Record<string, EvidenceValue>;

/**
 * A time as ISO 8601, or null. Claims come from any JWT a client sends: an exp of 1e20 is a finite
 * number but no Date (toISOString throws), and a throwing rule loses its finding.
 */
export function isoFromMs(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export const isoFromSeconds = (seconds: number | undefined): string | null =>
  seconds === undefined ? null : isoFromMs(seconds * 1000);

const IKEY_PARAM = /([?&](?:ikey|instrumentationkey)=)([^&]*)/gi;

/** The path with any ikey query parameter masked (the capture already did it: this is a second lock). */
export function safePath(path: string): string {
  return path.includes('?')
    ? path.replace(IKEY_PARAM, (_m, name: string, v: string) => `${name}${ensureMaskedIkey(decodeSafe(v))}`)
    : path;
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Method, host and path. */
export function requestEvidence({ exchange }: RuleContext): Evidence {
  return {
    method: exchange.request.method,
    host: exchange.request.host,
    path: safePath(exchange.request.path),
  };
}

/** The reason phrase, with any GUID (an iKey, if anything) masked. */
export function reasonOf({ exchange }: RuleContext): string | null {
  const reason = exchange.response?.reason;
  return reason ? maskGuidsInText(reason.slice(0, 200)) : null;
}

export function responseEvidence(ctx: RuleContext): Evidence {
  const { exchange, analysis } = ctx;
  const response = exchange.response;
  if (!response) return { status: null };
  const evidence: Evidence = { status: response.status, reason: reasonOf(ctx) };
  if (analysis.serviceMessage) evidence.serviceMessage = analysis.serviceMessage;
  return evidence;
}

/** Who the token names: enough to find the identity in Entra ID and in role assignments. */
export function identityEvidence(claims: JwtClaims | undefined): Evidence {
  if (!claims) return {};
  return {
    tid: claims.tid ?? null,
    oid: claims.oid ?? null,
    appid: claims.appid ?? claims.azp ?? null,
    idtyp: claims.idtyp ?? null,
    iss: claims.iss ?? null,
  };
}

export function audienceEvidence(aud: JwtClaims['aud']): EvidenceValue {
  if (aud === undefined) return null;
  return typeof aud === 'string' ? aud : [...aud];
}

/** Reads a few fields of a form-encoded body or a query (never the secret ones). */
export function formFields(text: string | undefined, names: string[]): Evidence {
  const evidence: Evidence = {};
  if (!text) return evidence;
  const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : text;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query.slice(0, 4096));
  } catch {
    return evidence;
  }
  for (const name of names) {
    const value = params.get(name);
    if (value) evidence[name] = value.slice(0, 200);
  }
  return evidence;
}
