import {
  AzureCliCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  type TokenCredentialOptions,
  WorkloadIdentityCredential,
} from '@azure/identity';
import { diagnose } from '../diagnosis';
import { decodeJwt } from '../ingestion/jwt';
import type { Finding } from '../model/finding';
import { UsageError } from '../model/usage-error';
import { exchangeOf, type SeenExchange } from './exchange-of';
import type { ParsedTarget } from './parse-step';
import type { ProxyAddress } from './tunnel';
import type { CheckOptions, StepResult } from './types';

type Options = TokenCredentialOptions & Record<string, unknown>;

/** The pipeline policy that keeps a copy of every request the identity library makes. */
function recorder(seen: SeenExchange[]) {
  return {
    name: 'appinsights-auth-proxy-check-recorder',
    async sendRequest(request: any, next: (r: any) => Promise<any>) {
      const start = Date.now();
      const headers: Record<string, string> = {};
      for (const [name, value] of request.headers) headers[name] = String(value);
      const entry: SeenExchange = {
        scope: /\/metadata\/identity\/|\/msi\/token/i.test(String(request.url))
          ? 'managed-identity'
          : 'token',
        method: request.method,
        url: request.url,
        requestHeaders: headers,
        requestBody: typeof request.body === 'string' ? request.body : undefined,
        start,
      };
      if (seen.length < 20) seen.push(entry);
      try {
        const response = await next(request);
        entry.status = response.status;
        const responseHeaders: Record<string, string> = {};
        for (const [name, value] of response.headers) responseHeaders[name] = String(value);
        entry.responseHeaders = responseHeaders;
        if (typeof response.bodyAsText === 'string')
          entry.responseBody = response.bodyAsText.slice(0, 64 * 1024);
        return response;
      } catch (err) {
        entry.error = (err as Error).message;
        throw err;
      }
    },
  };
}

function credentialFor(
  options: CheckOptions,
  via: ProxyAddress | undefined,
  seen: SeenExchange[],
): TokenCredential {
  const common: Options = {
    additionalPolicies: [{ policy: recorder(seen), position: 'perRetry' }],
    retryOptions: { maxRetries: 0 },
  };
  if (options.authorityHost) common.authorityHost = options.authorityHost;
  if (via)
    common.proxyOptions = {
      host: `http://${via.host.includes(':') ? `[${via.host}]` : via.host}`,
      port: via.port,
      ...(via.username !== undefined ? { username: via.username, password: via.password } : {}),
    };
  const { tenantId, clientId } = options;
  switch (options.credential) {
    case 'client-secret':
      if (!tenantId || !clientId || !options.clientSecret)
        throw new UsageError(
          '--credential client-secret needs --tenant-id, --client-id and a secret (--client-secret-env NAME or --client-secret-file FILE)',
        );
      return new ClientSecretCredential(tenantId, clientId, options.clientSecret, common);
    case 'managed-identity':
      return new ManagedIdentityCredential(clientId ? { ...common, clientId } : common);
    case 'workload-identity':
      return new WorkloadIdentityCredential({
        ...common,
        ...(tenantId ? { tenantId } : {}),
        ...(clientId ? { clientId } : {}),
      });
    case 'azure-cli':
      return new AzureCliCredential({ ...(tenantId ? { tenantId } : {}) });
    default:
      return new DefaultAzureCredential({
        ...common,
        ...(tenantId ? { tenantId } : {}),
        ...(clientId ? { managedIdentityClientId: clientId, workloadIdentityClientId: clientId } : {}),
      });
  }
}

/** Findings of the proxy's diagnosis for the identity exchanges that failed. */
function identityFindings(seen: SeenExchange[]): Finding[] {
  const findings: Finding[] = [];
  for (const entry of seen) {
    if (entry.status === undefined || entry.status < 400) continue;
    const { findings: found } = diagnose(exchangeOf(entry), { connectionStrings: [], expectEntra: false });
    for (const f of found) if (!findings.some((g) => g.id === f.id)) findings.push(f);
  }
  return findings;
}

/**
 * When the identity library answered from an error without a recorded exchange (MSAL's managed
 * identity client does its own requests), the exchange is rebuilt from the error's status and body,
 * so the same diagnosis still names the cause.
 */
function exchangeFromError(err: unknown, options: CheckOptions, scope: string): SeenExchange | undefined {
  const e = err as {
    statusCode?: number;
    errorResponse?: { error?: string; errorDescription?: string; errorCodes?: number[] };
  };
  const description = e.errorResponse?.errorDescription ?? (err instanceof Error ? err.message : undefined);
  if (!description) return undefined;
  const aadsts = /AADSTS(\d+)/.exec(description)?.[1];
  if (
    options.credential === 'managed-identity' ||
    (!aadsts && /ManagedIdentityCredential/.test(description))
  ) {
    const endpoint = process.env.IDENTITY_ENDPOINT ?? 'http://169.254.169.254/metadata/identity/oauth2/token';
    const url = new URL(endpoint);
    url.searchParams.set('resource', scope.replace(/\/\.default$/, ''));
    if (options.clientId) url.searchParams.set('client_id', options.clientId);
    return {
      scope: 'managed-identity',
      method: 'GET',
      url: url.toString(),
      requestHeaders: {},
      start: Date.now(),
      status: e.statusCode ?? 400,
      responseHeaders: { 'content-type': 'application/json' },
      responseBody: JSON.stringify({
        error: e.errorResponse?.error ?? 'invalid_request',
        error_description: description,
      }),
    };
  }
  if (!aadsts) return undefined;
  const authority = options.authorityHost ?? 'https://login.microsoftonline.com';
  return {
    scope: 'token',
    method: 'POST',
    url: `${authority.replace(/\/+$/, '')}/${options.tenantId ?? 'organizations'}/oauth2/v2.0/token`,
    requestHeaders: { 'content-type': 'application/x-www-form-urlencoded' },
    requestBody: new URLSearchParams({
      client_id: options.clientId ?? '',
      scope,
      grant_type: 'client_credentials',
    }).toString(),
    start: Date.now(),
    status: e.statusCode ?? 400,
    responseHeaders: { 'content-type': 'application/json' },
    responseBody: JSON.stringify({
      error: e.errorResponse?.error ?? 'invalid_request',
      error_description: description,
      error_codes: [Number(aadsts)],
    }),
  };
}

/** The first line of an identity error, without anything that could be a secret. */
function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split(/\r?\n/).find((l) => l.trim()) ?? text).slice(0, 300);
}

/** Step 3: a token for `<audience>/.default` through @azure/identity; claims shown, never the token. */
export async function tokenStep(
  target: ParsedTarget,
  options: CheckOptions,
  via: ProxyAddress | undefined,
): Promise<{ result: StepResult; token?: string }> {
  const scope = `${target.audience.replace(/\/+$/, '')}/.default`;
  if (options.credential === 'none') {
    return {
      result: {
        step: 'token',
        status: 'skipped',
        summary: '--credential none: the test record goes without a token',
        findings: [],
      },
    };
  }
  const seen: SeenExchange[] = [];
  try {
    // Built inside: a credential that cannot even be made (workload identity without
    // AZURE_CLIENT_ID or its token file) is this step's failure, not an exit 1 with no verdict.
    const credential = credentialFor(options, via, seen);
    const token = await credential.getToken(scope, { abortSignal: AbortSignal.timeout(options.timeoutMs) });
    if (!token) throw new Error('the credential returned no token');
    const claims = decodeJwt(token.token).jwt?.claims ?? {};
    const shown = {
      aud: claims.aud ?? null,
      tid: claims.tid ?? null,
      oid: claims.oid ?? null,
      appid: claims.appid ?? claims.azp ?? null,
      exp: claims.exp === undefined ? null : new Date(claims.exp * 1000).toISOString(),
    };
    return {
      token: token.token,
      result: {
        step: 'token',
        status: 'ok',
        summary: `token for ${scope} (${options.credential}): aud ${String(shown.aud)}, tid ${shown.tid}, oid ${shown.oid}, appid ${shown.appid}, exp ${shown.exp}`,
        details: { scope, credential: options.credential, claims: shown, requests: seen.length },
        findings: [],
      },
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    let findings = identityFindings(seen);
    const rebuilt = findings.length === 0 ? exchangeFromError(err, options, scope) : undefined;
    if (rebuilt) findings = identityFindings([rebuilt]);
    const last = [...seen].reverse().find((s) => s.status !== undefined);
    return {
      result: {
        step: 'token',
        status: 'failed',
        summary: `no token for ${scope} (${options.credential}): ${errorLine(err)}`,
        details: {
          scope,
          credential: options.credential,
          lastStatus: last?.status ?? null,
          requests: seen.length,
        },
        findings,
      },
    };
  }
}
