import { DEFAULT_MANAGED_IDENTITY, DEFAULT_TENANT_ID } from './defaults';
import type { FakeRequest, FakeResponse } from './exchange-types';
import { jsonResponse } from './responses';
import { mintToken, type TokenSigningKey } from './token-minting';

/** A managed identity the fake host has. */
export interface ManagedIdentity {
  clientId: string;
  /** Principal (object) id: the token's `oid`. */
  objectId: string;
  /** ARM resource id of a user-assigned identity (`mi_res_id` / `msi_res_id`). */
  resourceId?: string;
}

export interface IdentitySettings {
  /** Used when the request names no identity; absent: such requests get "Identity not found". */
  systemAssigned?: ManagedIdentity;
  userAssigned: ManagedIdentity[];
  tenantId: string;
  tokenLifetimeSeconds: number;
  /** App Service: the expected X-IDENTITY-HEADER; absent: any non-empty value is accepted. */
  appServiceSecret?: string;
  signTokens: boolean;
}

export function defaultIdentitySettings(): IdentitySettings {
  return {
    systemAssigned: { ...DEFAULT_MANAGED_IDENTITY },
    userAssigned: [],
    tenantId: DEFAULT_TENANT_ID,
    tokenLifetimeSeconds: 86399,
    signTokens: true,
  };
}

const IMDS_TOKEN = /^\/metadata\/identity\/oauth2\/token\/?$/i;
const APP_SERVICE_TOKEN = /^\/msi\/token\/?$/i;

export function isIdentityPath(path: string): boolean {
  return IMDS_TOKEN.test(path) || APP_SERVICE_TOKEN.test(path);
}

function sameId(a: string | undefined, b: string | null): boolean {
  return a !== undefined && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** Finds the identity a request names by client id, object id or resource id (or the system-assigned one). */
function findIdentity(query: URLSearchParams, settings: IdentitySettings): ManagedIdentity | undefined {
  const clientId = query.get('client_id');
  const objectId = query.get('object_id') ?? query.get('principal_id');
  const resourceId = query.get('mi_res_id') ?? query.get('msi_res_id');
  if (clientId === null && objectId === null && resourceId === null) return settings.systemAssigned;
  const all = [...settings.userAssigned, ...(settings.systemAssigned ? [settings.systemAssigned] : [])];
  return all.find(
    (id) =>
      sameId(id.clientId, clientId) || sameId(id.objectId, objectId) || sameId(id.resourceId, resourceId),
  );
}

function identityToken(
  identity: ManagedIdentity,
  resource: string,
  settings: IdentitySettings,
  key: TokenSigningKey,
) {
  const now = Math.floor(Date.now() / 1000);
  const exp = now + settings.tokenLifetimeSeconds;
  const claims = {
    aud: resource, // mirrors the resource as requested, trailing slash included
    tid: settings.tenantId,
    oid: identity.objectId,
    appid: identity.clientId,
    appidacr: '2',
    iat: now,
    nbf: now,
    exp,
    ...(identity.resourceId ? { xms_mirid: identity.resourceId } : {}),
  };
  return { token: mintToken(claims, settings.signTokens ? key : undefined), now, exp };
}

const imdsError = (description: string, verdict: string): FakeResponse =>
  jsonResponse('identity', 400, { error: 'invalid_request', error_description: description }, verdict);

/** GET /metadata/identity/oauth2/token: Azure IMDS (VMs, VMSS, AKS). */
function imds(req: FakeRequest, settings: IdentitySettings, key: TokenSigningKey): FakeResponse {
  if (req.headers.metadata?.toString().toLowerCase() !== 'true') {
    return imdsError('Required metadata header not specified', 'IMDS request without Metadata: true');
  }
  if (!req.query.get('api-version'))
    return imdsError("Required query variable 'api-version' is missing", 'IMDS probe without api-version');
  const resource = req.query.get('resource');
  if (!resource)
    return imdsError('Required audience parameter not specified', 'IMDS request without resource');
  const identity = findIdentity(req.query, settings);
  if (!identity) return imdsError('Identity not found', 'no such managed identity on this host');
  const { token, now, exp } = identityToken(identity, resource, settings, key);
  // IMDS sends the numbers as strings.
  const body = {
    access_token: token,
    client_id: identity.clientId,
    expires_in: String(exp - now),
    expires_on: String(exp),
    ext_expires_in: String(exp - now),
    not_before: String(now),
    resource,
    token_type: 'Bearer',
  };
  return jsonResponse('identity', 200, body, `IMDS token for ${identity.clientId}`);
}

/** GET /msi/token?api-version=2019-08-01: App Service and Functions managed identity. */
function appService(req: FakeRequest, settings: IdentitySettings, key: TokenSigningKey): FakeResponse {
  const secret = req.headers['x-identity-header'];
  const secretOk =
    typeof secret === 'string' && secret !== '' && (settings.appServiceSecret ?? secret) === secret;
  if (!secretOk) {
    // Wording is ours: the real answer to a missing or wrong X-IDENTITY-HEADER was not captured.
    return jsonResponse(
      'identity',
      401,
      { statusCode: 401, message: 'X-IDENTITY-HEADER is missing or wrong.' },
      'App Service identity header missing or wrong',
    );
  }
  const resource = req.query.get('resource');
  if (!resource)
    return jsonResponse(
      'identity',
      400,
      { statusCode: 400, message: 'Required parameter resource is missing.' },
      'App Service request without resource',
    );
  const identity = findIdentity(req.query, settings);
  if (!identity) {
    const message =
      'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.';
    return jsonResponse(
      'identity',
      400,
      { statusCode: 400, message },
      'no such managed identity on this app',
    );
  }
  const { token, exp } = identityToken(identity, resource, settings, key);
  const body = {
    access_token: token,
    expires_on: String(exp),
    resource,
    token_type: 'Bearer',
    client_id: identity.clientId,
  };
  return jsonResponse('identity', 200, body, `App Service token for ${identity.clientId}`);
}

/** Managed identity endpoints: IMDS and App Service. */
export function handleIdentity(
  req: FakeRequest,
  settings: IdentitySettings,
  key: TokenSigningKey,
): FakeResponse {
  const bodySummary = {
    resource: req.query.get('resource') ?? undefined,
    client_id: req.query.get('client_id') ?? undefined,
  };
  const response = IMDS_TOKEN.test(req.path) ? imds(req, settings, key) : appService(req, settings, key);
  return { ...response, bodySummary };
}
