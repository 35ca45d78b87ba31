import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { DEFAULT_APP, DEFAULT_AUDIENCES, DEFAULT_TENANT_ID } from './defaults';

/** Claims a fake token can carry; absent ones get defaults, `null` removes a claim. */
export interface TokenClaims {
  aud?: string | string[] | null;
  iss?: string | null;
  tid?: string | null;
  oid?: string | null;
  sub?: string | null;
  appid?: string | null;
  azp?: string | null;
  idtyp?: string | null;
  ver?: string | null;
  roles?: string[] | null;
  /** Seconds since the epoch. */
  iat?: number | null;
  nbf?: number | null;
  exp?: number | null;
  [claim: string]: unknown;
}

/** An RS256 key made at start; its public half is served as JWKS by the fake Entra. */
export class TokenSigningKey {
  readonly kid: string;
  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
  ) {
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.kid = createHash('sha256').update(der).digest('base64url').slice(0, 27);
  }

  static generate(): TokenSigningKey {
    // 2048-bit RSA takes tens of milliseconds; done once per fake.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return new TokenSigningKey(privateKey, publicKey);
  }

  sign(data: string): string {
    return sign('sha256', Buffer.from(data), this.privateKey).toString('base64url');
  }

  verify(data: string, signature: string): boolean {
    return verify('sha256', Buffer.from(data), this.publicKey, Buffer.from(signature, 'base64url'));
  }

  /** The key as a JWK set, as `/discovery/v2.0/keys` serves it. */
  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e }] };
  }
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The claims of a v1 app-only token like the ones Entra issues for https://monitor.azure.com. */
export function defaultClaims(now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    aud: DEFAULT_AUDIENCES[0],
    iss: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    appid: DEFAULT_APP.clientId,
    appidacr: '1',
    idp: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
    idtyp: 'app',
    oid: DEFAULT_APP.objectId,
    sub: DEFAULT_APP.objectId,
    tid: DEFAULT_TENANT_ID,
    ver: '1.0',
  };
}

/**
 * Makes a JWT with the chosen claims: signed RS256 with `key`, or unsigned (`alg: none`) without one.
 * Tests use it for expired, not-yet-valid, wrong-audience and role-less tokens.
 */
export function mintToken(claims: TokenClaims = {}, key?: TokenSigningKey): string {
  const payload: Record<string, unknown> = defaultClaims();
  if (typeof claims.tid === 'string' && claims.iss === undefined) {
    payload.iss = `https://sts.windows.net/${claims.tid}/`;
    payload.idp = payload.iss;
  }
  if (typeof claims.oid === 'string' && claims.sub === undefined) payload.sub = claims.oid;
  for (const [name, value] of Object.entries(claims)) {
    if (value === null) delete payload[name];
    else if (value !== undefined) payload[name] = value;
  }
  const header = key ? { typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid } : { typ: 'JWT', alg: 'none' };
  const signingInput = `${b64json(header)}.${b64json(payload)}`;
  return `${signingInput}.${key ? key.sign(signingInput) : ''}`;
}
