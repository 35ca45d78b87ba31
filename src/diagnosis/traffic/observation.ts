import { createHash } from 'node:crypto';
import type { Exchange } from '../../model/exchange';
import type { Runtime } from '../../model/finding';
import type { Analysis } from '../../model/log-line';
import { type CloudName, cloudOfHost, CLOUDS } from '../../ingestion/clouds';
import { normalizeAudience } from '../token-facts';

/** What the traffic findings need from one exchange: a few facts, no body, no secret. */
export interface Observation {
  /** Epoch ms of the request. */
  at: number;
  host: string;
  /** analysis.kind ('track-v2.1', 'live-ping', 'token', ...). */
  kind: string;
  status?: number;
  /** The exchange failed without an answer (refused, reset, timed out...). */
  failed: boolean;
  hasAuthorization: boolean;
  /** Token fingerprint and claims that matter across exchanges. */
  token?: {
    fingerprint: string;
    exp?: number;
    audienceCloud?: CloudName;
    issuerCloud?: CloudName;
    /** Who the token is for (tenant and object or app id): a refreshed token has the same one. */
    identity?: string;
  };
  hostCloud?: CloudName;
  /** The masked iKey of a track request's envelopes (the first), to tell apps on one host apart. */
  iKey?: string;
  /** SHA-256 (12 hex) of the captured request body, for telemetry requests whose body was kept. */
  bodyHash?: string;
  /** The sender's runtime, when the analysis knows it (for runtime-specific fix steps). */
  runtime?: Runtime;
}

export const TRACK_KINDS_OF_APP: readonly string[] = ['track-v2', 'track-v2.1'];
export const LIVE_KINDS: readonly string[] = ['live-ping', 'live-post'];
export const IDENTITY_KINDS: readonly string[] = [
  'token',
  'instance-discovery',
  'openid-configuration',
  'imds-token',
  'appservice-msi-token',
];

const IDENTITY_HOSTS = new Set([...CLOUDS.flatMap((c) => c.loginHosts), '169.254.169.254', '169.254.129.8']);

/** An Entra login host or a managed-identity endpoint: a tunnel there is the identity client's traffic. */
export function isIdentityHost(host: string): boolean {
  return IDENTITY_HOSTS.has(host.toLowerCase().replace(/\.$/, ''));
}

/** The cloud an audience names, when it is one of the clouds' Azure Monitor audiences. */
export function cloudOfAudience(aud: string | undefined): CloudName | undefined {
  if (!aud) return undefined;
  const a = normalizeAudience(aud);
  return CLOUDS.find((c) => normalizeAudience(c.audience) === a)?.name;
}

/**
 * The cloud an issuer names. `sts.windows.net` is left out on purpose: v1 tokens of more than one
 * cloud use it, so it proves nothing.
 */
export function cloudOfIssuer(iss: string | undefined): CloudName | undefined {
  if (!iss) return undefined;
  let host: string;
  try {
    host = new URL(iss).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === 'sts.windows.net') return undefined;
  if (host === 'login.microsoftonline.com') return 'public';
  if (host.endsWith('.us')) return 'usgov';
  if (host.endsWith('.cn')) return 'china';
  return undefined;
}

function firstAudience(aud: string | readonly string[] | undefined): string | undefined {
  return aud === undefined || typeof aud === 'string' ? aud : aud[0];
}

/**
 * The clouds a token's claims name, once per summary: the summary is cached per header and
 * frozen, and an app sends the same token on every request for up to an hour (a URL parse and
 * a scan of the clouds per request otherwise). Weak: gone with the summary.
 */
const TOKEN_CLOUDS = new WeakMap<
  object,
  { audienceCloud: CloudName | undefined; issuerCloud: CloudName | undefined }
>();

/** Reads an exchange once into an Observation. Pure. */
export function observe(exchange: Exchange, analysis: Analysis | undefined): Observation {
  const kind = analysis?.kind ?? 'other';
  const request = exchange.request;
  const auth = request.authorization;
  const claims = auth?.jwt?.claims;
  const observation: Observation = {
    at: exchange.timings.start,
    host: request.host.toLowerCase(),
    kind,
    status: exchange.response?.status,
    failed: !exchange.response && exchange.error !== undefined && exchange.error.kind !== 'CLIENT_ABORTED',
    hasAuthorization: auth !== undefined,
    hostCloud: cloudOfHost(request.host)?.name,
  };
  const iKey = analysis?.envelopes?.iKeys?.[0];
  if (typeof iKey === 'string') observation.iKey = iKey;
  if (typeof analysis?.runtime === 'string') observation.runtime = analysis.runtime as Runtime;
  if (auth) {
    // Only a frozen summary (the proxy's cached one) can be remembered: a draft may still change.
    const frozen = Object.isFrozen(auth) && (!claims || Object.isFrozen(claims));
    let clouds = frozen ? TOKEN_CLOUDS.get(auth) : undefined;
    if (!clouds) {
      clouds = {
        audienceCloud: cloudOfAudience(firstAudience(claims?.aud)),
        issuerCloud: cloudOfIssuer(claims?.iss),
      };
      if (frozen) TOKEN_CLOUDS.set(auth, clouds);
    }
    observation.token = {
      fingerprint: auth.fingerprint,
      exp: claims?.exp,
      audienceCloud: clouds.audienceCloud,
      issuerCloud: clouds.issuerCloud,
    };
    const who = claims?.oid ?? claims?.appid ?? claims?.azp ?? claims?.sub;
    if (claims?.tid !== undefined || who !== undefined)
      observation.token.identity = `${claims?.tid ?? ''}/${who ?? ''}`;
  }
  const text = request.body.text ?? request.body.base64;
  if (TRACK_KINDS_OF_APP.includes(kind) && text) {
    observation.bodyHash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  }
  return observation;
}
