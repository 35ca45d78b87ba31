import { DEFAULT_APP, DEFAULT_AUDIENCES, DEFAULT_TENANT_ID } from './defaults';

/** An app registration the fake tenant knows. */
export interface EntraApp {
  clientId: string;
  /** The client secret value; absent: only client assertions (certificates) are accepted. */
  secret?: string;
  /** The secret exists but has expired (AADSTS7000222). */
  secretExpired?: boolean;
  /** Object id of the app's service principal (the token's `oid`). */
  objectId: string;
}

export interface EntraSettings {
  /** Tenant ids the fake knows; others get AADSTS90002. `*` knows every tenant. */
  tenants: string[];
  apps: EntraApp[];
  /** Resources (App ID URIs) in the tenant; other scopes get AADSTS500011. Compared without trailing slashes. */
  resources: string[];
  /** `expires_in` of issued tokens, in seconds. */
  tokenLifetimeSeconds: number;
  /** true: RS256 signed with the fake's key (served as JWKS); false: unsigned (`alg: none`). */
  signTokens: boolean;
}

export function defaultEntraSettings(): EntraSettings {
  return {
    tenants: [DEFAULT_TENANT_ID],
    apps: [{ clientId: DEFAULT_APP.clientId, secret: DEFAULT_APP.secret, objectId: DEFAULT_APP.objectId }],
    resources: [...DEFAULT_AUDIENCES],
    tokenLifetimeSeconds: 3599,
    signTokens: true,
  };
}

/** Names that are not tenants but that Entra routes (discovery and metadata work for them). */
export const WELL_KNOWN_TENANTS = new Set(['common', 'organizations', 'consumers']);

export function isKnownTenant(tenant: string, settings: EntraSettings): boolean {
  const t = tenant.toLowerCase();
  return settings.tenants.includes('*') || settings.tenants.some((known) => known.toLowerCase() === t);
}
