import { randomUUID } from 'node:crypto';
import { aadstsResponse, entraHeaders, type AadstsCode, type AadstsDetails } from './aadsts';
import { DEFAULT_TENANT_ID } from './defaults';
import { isKnownTenant, WELL_KNOWN_TENANTS, type EntraSettings } from './entra-settings';
import type { FakeRequest, FakeResponse } from './exchange-types';
import { jsonResponse } from './responses';
import { mintToken, type TokenSigningKey } from './token-minting';

const INSTANCE_DISCOVERY = /^\/[^/]+\/discovery\/instance\/?$/i;
const OPENID_CONFIG = /^\/([^/]+)(\/v2\.0)?\/\.well-known\/openid-configuration\/?$/i;
const KEYS = /^\/([^/]+)\/discovery(\/v2\.0)?\/keys\/?$/i;
const TOKEN = /^\/([^/]+)\/oauth2(\/v2\.0)?\/token\/?$/i;

/** Paths only Entra serves: lets requests to an unknown host (say `login.test`) reach the fake Entra. */
export function isEntraPath(path: string): boolean {
  return [INSTANCE_DISCOVERY, OPENID_CONFIG, KEYS, TOKEN].some((re) => re.test(path));
}

export interface EntraContext {
  settings: EntraSettings;
  signingKey: TokenSigningKey;
}

function entraJson(status: number, body: unknown, verdict: string): FakeResponse {
  return jsonResponse('entra', status, body, verdict, { headers: entraHeaders() });
}

/** The clouds' login hosts as MSAL's instance discovery lists them. */
const CLOUD_METADATA = [
  {
    preferred_network: 'login.microsoftonline.com',
    preferred_cache: 'login.windows.net',
    aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
  },
  {
    preferred_network: 'login.partner.microsoftonline.cn',
    preferred_cache: 'login.partner.microsoftonline.cn',
    aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
  },
  {
    preferred_network: 'login.microsoftonline.us',
    preferred_cache: 'login.microsoftonline.us',
    aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'],
  },
];

/** GET /common/discovery/instance?authorization_endpoint=…: where the tenant's metadata lives. */
function instanceDiscovery(req: FakeRequest): FakeResponse {
  const authorize =
    req.query.get('authorization_endpoint') ?? `https://${req.host}/common/oauth2/v2.0/authorize`;
  let authority: URL;
  try {
    authority = new URL(authorize);
  } catch {
    return entraJson(
      400,
      { error: 'invalid_instance', error_description: 'authorization_endpoint is not a URL' },
      'bad discovery request',
    );
  }
  const tenant = authority.pathname.split('/').filter(Boolean)[0] ?? 'common';
  const host = authority.host.toLowerCase();
  const known = CLOUD_METADATA.some((m) => m.aliases.includes(host));
  // A custom authority host (tests use one) is listed too, so MSAL trusts it as the real service would a known one.
  const metadata = known
    ? CLOUD_METADATA
    : [...CLOUD_METADATA, { preferred_network: host, preferred_cache: host, aliases: [host] }];
  const body = {
    tenant_discovery_endpoint: `https://${host}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata,
  };
  return entraJson(200, body, 'instance discovery');
}

/** The tenant id a well-known name or a tenant id stands for. */
function tenantIdOf(tenant: string, ctx: EntraContext): string {
  if (!WELL_KNOWN_TENANTS.has(tenant.toLowerCase()) && tenant !== '*') return tenant;
  return ctx.settings.tenants.find((t) => t !== '*') ?? DEFAULT_TENANT_ID;
}

function openIdConfiguration(req: FakeRequest, ctx: EntraContext, tenant: string, v2: boolean): FakeResponse {
  if (!WELL_KNOWN_TENANTS.has(tenant.toLowerCase()) && !isKnownTenant(tenant, ctx.settings)) {
    return aadstsResponse(
      90002,
      { tenant },
      { error: 'invalid_tenant', correlationId: correlationIdOf(req) },
    );
  }
  const base = `https://${req.host}/${tenant}`;
  const tid = WELL_KNOWN_TENANTS.has(tenant.toLowerCase()) ? '{tenantid}' : tenantIdOf(tenant, ctx);
  const suffix = v2 ? '/v2.0' : '';
  const body = {
    token_endpoint: `${base}/oauth2${suffix}/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery${suffix}/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: v2 ? `https://${req.host}/${tid}/v2.0` : `https://sts.windows.net/${tid}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2${suffix}/authorize`,
    device_authorization_endpoint: `${base}/oauth2${suffix}/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2${suffix}/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
  return entraJson(200, body, 'openid configuration');
}

function correlationIdOf(req: FakeRequest): string | undefined {
  const header = req.headers['client-request-id'];
  return (typeof header === 'string' ? header : undefined) ?? req.query.get('client-request-id') ?? undefined;
}

/** The resource a client-credentials scope names: `https://monitor.azure.com//.default` → `https://monitor.azure.com/`. */
function resourceOfScope(scope: string): string | undefined {
  const first = scope.trim().split(/\s+/)[0] ?? '';
  return first.endsWith('/.default') ? first.slice(0, -'/.default'.length) : undefined;
}

function sameResource(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

/** What the form says about the client; never logged in full (the secret is dropped). */
function tokenBodySummary(form: URLSearchParams): Record<string, unknown> {
  return {
    grant_type: form.get('grant_type') ?? undefined,
    client_id: form.get('client_id') ?? undefined,
    scope: form.get('scope') ?? undefined,
    resource: form.get('resource') ?? undefined,
    client_secret: form.has('client_secret') ? '[redacted]' : undefined,
    client_assertion: form.has('client_assertion') ? '[redacted]' : undefined,
  };
}

/** POST /{tenant}/oauth2/v2.0/token (and v1 /oauth2/token): client credentials only. */
function token(req: FakeRequest, ctx: EntraContext, tenant: string, v2: boolean): FakeResponse {
  const form = new URLSearchParams(req.body.toString('utf8'));
  const bodySummary = tokenBodySummary(form);
  const correlationId = correlationIdOf(req);
  const fail = (code: AadstsCode, details: AadstsDetails): FakeResponse => ({
    ...aadstsResponse(code, details, { correlationId }),
    bodySummary,
  });
  if (req.method !== 'POST')
    return { ...entraJson(405, { error: 'invalid_request' }, 'token endpoint needs POST'), bodySummary };
  if (!isKnownTenant(tenant, ctx.settings) && !WELL_KNOWN_TENANTS.has(tenant.toLowerCase()))
    return fail(90002, { tenant });
  const grantType = form.get('grant_type');
  if (!grantType) return fail(900144, { parameter: 'grant_type' });
  if (grantType !== 'client_credentials') return fail(70003, { grantType });
  const clientId = form.get('client_id');
  if (!clientId) return fail(900144, { parameter: 'client_id' });
  let resource: string | undefined;
  if (v2) {
    const scope = form.get('scope');
    if (!scope) return fail(900144, { parameter: 'scope' });
    resource = resourceOfScope(scope);
    if (resource === undefined) return fail(1002012, { scope });
  } else {
    resource = form.get('resource') ?? undefined;
    if (!resource) return fail(900144, { parameter: 'resource' });
  }
  const app = ctx.settings.apps.find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
  if (!app) return fail(700016, { clientId, tenant });
  const secret = form.get('client_secret');
  if (!form.has('client_assertion')) {
    // The fake does not verify client assertions (certificates): it only checks secrets.
    if (secret === null) return fail(7000218, { clientId });
    if (app.secret === undefined || secret !== app.secret) return fail(7000215, { clientId: app.clientId });
    if (app.secretExpired) return fail(7000222, { clientId: app.clientId });
  }
  if (!ctx.settings.resources.some((r) => sameResource(r, resource as string))) {
    return fail(500011, { resource, tenant });
  }
  const now = Math.floor(Date.now() / 1000);
  const lifetime = ctx.settings.tokenLifetimeSeconds;
  const tid = tenantIdOf(tenant, ctx);
  // The `aud` claim mirrors the resource as requested (trailing slash kept), as real tokens do.
  const accessToken = mintToken(
    {
      aud: resource,
      tid,
      oid: app.objectId,
      appid: app.clientId,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      uti: randomUUID(),
    },
    ctx.settings.signTokens ? ctx.signingKey : undefined,
  );
  const body = v2
    ? { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }
    : {
        token_type: 'Bearer',
        expires_in: String(lifetime),
        ext_expires_in: String(lifetime),
        expires_on: String(now + lifetime),
        not_before: String(now),
        resource,
        access_token: accessToken,
      };
  return { ...entraJson(200, body, `token issued to ${app.clientId} for ${resource}`), bodySummary };
}

/** login.microsoftonline.com (and friends): discovery, metadata, keys and the token endpoint. */
export function handleEntra(req: FakeRequest, ctx: EntraContext): FakeResponse {
  if (INSTANCE_DISCOVERY.test(req.path)) return instanceDiscovery(req);
  const openId = OPENID_CONFIG.exec(req.path);
  if (openId?.[1]) return openIdConfiguration(req, ctx, openId[1], openId[2] !== undefined);
  const keys = KEYS.exec(req.path);
  if (keys) return entraJson(200, ctx.signingKey.jwks(), 'signing keys');
  const tokenPath = TOKEN.exec(req.path);
  if (tokenPath?.[1]) return token(req, ctx, tokenPath[1], tokenPath[2] !== undefined);
  return entraJson(
    404,
    { error: 'not_found', error_description: `The fake Entra does not serve ${req.path}` },
    'unknown Entra path',
  );
}
