import { PassThrough, Readable } from 'node:stream';
import { allGuidance, lookupGuidance } from '../../src/diagnosis';
import { RECOGNISER_NAMES, recognise } from '../../src/sinks/explain';
import { formatEntry } from '../../src/sinks/explain-format';
import { explainStream } from '../../src/sinks/explain-stream';
import { ordinaryLog } from './ordinary-log';

/** Every SDK/agent log message the troubleshooting article (shared/seed) quotes, and its entry. */
const SEED_ARTICLE: [string, string, string][] = [
  [
    'Fiddler: 400 Authentication not supported',
    'HTTP/1.1 400 Authentication not supported',
    'ENTRA_ONLY_RESOURCE_V2_PATH',
  ],
  ['Fiddler: 401 Authorization required', 'HTTP/1.1 401 Authorization required', 'TOKEN_MISSING'],
  ['Fiddler: 403 Unauthorized', 'HTTP/1.1 403 Unauthorized', 'ROLE_MISSING'],
  [
    '.NET event source: Failed to get AAD Token',
    'Failed to get AAD Token. Error message: ClientSecretCredential authentication failed: A configuration issue is preventing authentication.',
    'ENTRA_TOKEN_ERROR',
  ],
  [
    'Java 401 (TelemetryChannel)',
    'WARN c.m.a.TelemetryChannel - Failed to send telemetry with status code: 401, please check your credentials',
    'TOKEN_MISSING',
  ],
  [
    'Java/Fiddler: 401 reason phrase',
    'HTTP/1.1 401 Unauthorized - please provide the valid authorization token',
    'TOKEN_MISSING',
  ],
  [
    'Java CredentialUnavailableException',
    'com.azure.identity.CredentialUnavailableException: ManagedIdentityCredential authentication unavailable. Connection to IMDS endpoint cannot be established',
    'MANAGED_IDENTITY_NOT_FOUND',
  ],
  [
    'Java 403 (TelemetryChannel)',
    'WARN c.m.a.TelemetryChannel - Failed to send telemetry with status code: 403, please check your credentials',
    'ROLE_MISSING',
  ],
  [
    'Java/Fiddler: 403 reason phrase',
    'HTTP/1.1 403 Forbidden - provided credentials do not grant the access to ingest the telemetry into the component',
    'ROLE_MISSING',
  ],
  [
    'Java invalid client id (MsalServiceException)',
    'com.microsoft.aad.msal4j.MsalServiceException: Application with identifier <CLIENT_ID> was not found in the directory',
    'ENTRA_APP_NOT_FOUND',
  ],
  [
    'Python "credential error" (system identity not there)',
    'WARNING:opencensus.ext.azure.common.transport:Credential error. ManagedIdentityCredential authentication unavailable, no managed identity endpoint found.. Dropping telemetry.',
    'MANAGED_IDENTITY_NOT_FOUND',
  ],
  [
    'Python "authentication error" (no status code)',
    'WARNING:opencensus.ext.azure.common.transport:Authentication error ClientSecretCredential.get_token failed: Authentication failed.',
    'ENTRA_TOKEN_ERROR',
  ],
  [
    'Python status code 400 in the error log',
    'WARNING:opencensus.ext.azure.common.transport:Non-retryable server side error 400: Authentication not supported.',
    'ENTRA_ONLY_RESOURCE_V2_PATH',
  ],
  [
    'Python status code 403 in the error log',
    'WARNING:opencensus.ext.azure.common.transport:Forbidden error 403: {"errors":[{"message":"Forbidden"}]}. Retrying.',
    'ROLE_MISSING',
  ],
];

/** Messages from ingestion-facts §6 (exact SDK strings), with their entry. */
const SDK_STRINGS: [string, string, string][] = [
  [
    'java-401',
    'Sending telemetry to the ingestion service: Authentication required. Please provide Azure Active Directory credentials (telemetry will be stored to disk and retried) (future warnings will be aggregated and logged once every 5 minutes)',
    'TOKEN_MISSING',
  ],
  [
    'java-403',
    'Sending telemetry to the ingestion service (retry from disk): Forbidden. Please check your Azure Active Directory credentials, they might be incorrect or expired (telemetry will be stored to disk and retried)',
    'ROLE_MISSING',
  ],
  [
    'java-3.2-status',
    'Failed to send telemetry with status code:401, please check your credentials',
    'TOKEN_MISSING',
  ],
  [
    'java-3.2-status',
    'Failed to send telemetry with status code:403 ,please check your credentials',
    'ROLE_MISSING',
  ],
  [
    'java-unparsable-status',
    'Sending telemetry to the ingestion service: Ingestion service returned 401, but could not parse response as json: <html>',
    'TOKEN_MISSING',
  ],
  [
    'java-daily-quota',
    'Sending telemetry to the ingestion service: Received response code 402 (daily quota exceeded and throttled over extended time)',
    'THROTTLED',
  ],
  [
    'java-response-code',
    'Sending telemetry to the ingestion service: Received response code 400 (Invalid instrumentation key)',
    'INVALID_INSTRUMENTATION_KEY',
  ],
  ['java-response-code', ' * Received response code 503 (3 times)', 'INGESTION_SERVER_ERROR'],
  [
    'java-response-code',
    "Sending telemetry to the ingestion service: Received response code 206 (Field 'time' on type 'Envelope' is required)",
    'PARTIAL_ACCEPTANCE',
  ],
  ['java-redirect', 'Refused cross-origin redirect: http://localhost:8080/v2.1/track', 'INGESTION_REDIRECT'],
  [
    'java-pkix',
    'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
  ],
  ['java-unknown-host', 'Unable to resolve host in url', 'UPSTREAM_UNREACHABLE'],
  [
    'java-config-clientid',
    'AAD Authentication configuration of type User Assigned Managed Identity is missing "clientId".',
    'TOKEN_MISSING',
  ],
  [
    'msal-exception',
    'com.microsoft.aad.msal4j.MsalServiceException: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.',
    'ENTRA_INVALID_CLIENT_SECRET',
  ],
  [
    'msal-exception',
    'com.microsoft.aad.msal4j.MsalServiceException: AADSTS7000222: The provided client secret keys for app are expired.',
    'ENTRA_CLIENT_SECRET_EXPIRED',
  ],
  [
    'msal-exception',
    'com.microsoft.aad.msal4j.MsalServiceException: AADSTS90002: Tenant not found.',
    'ENTRA_TENANT_NOT_FOUND',
  ],
  [
    'credential-unavailable',
    'Azure.Identity.CredentialUnavailableException: EnvironmentCredential authentication unavailable. Environment variables are not fully configured.',
    'TOKEN_MISSING',
  ],
  [
    'app-not-found',
    "ClientSecretCredential authentication failed: Application with identifier 'abc' was not found in the directory 'contoso'",
    'ENTRA_APP_NOT_FOUND',
  ],
  [
    'dotnet-failed-to-get-token',
    'Failed to get AAD Token. Error message: ManagedIdentityCredential authentication failed: Identity not found.',
    'MANAGED_IDENTITY_NOT_FOUND',
  ],
  [
    'dotnet-failed-to-get-token',
    'Failed to get AAD Token. Error message: AADSTS700016: Application with identifier x was not found.',
    'ENTRA_APP_NOT_FOUND',
  ],
  [
    'dotnet-authenticated-transmission-error',
    'AuthenticatedTransmissionError. Received a failed ingestion response. TransmissionId: 1a2b. Status Code: 403. Status Description: Forbidden - provided credentials do not grant the access to ingest the telemetry into the component',
    'ROLE_MISSING',
  ],
  [
    'dotnet-authenticated-transmission-error',
    'AuthenticatedTransmissionError. Received a failed ingestion response. TransmissionId: 1a2b. Status Code: 401. Status Description: Unauthorized - please provide the valid authorization token',
    'TOKEN_REJECTED',
  ],
  [
    'dotnet-quickpulse-token',
    "QuickPulse failed to get an auth token. Check 'CoreEventSource.FailedToGetToken' for full exception.",
    'ENTRA_TOKEN_ERROR',
  ],
  [
    'dotnet-redirect',
    'Ingestion Service responded with redirect. https://westus-0.in.applicationinsights.azure.com/',
    'INGESTION_REDIRECT',
  ],
  [
    'dotnet-exporter-transmission-failed',
    'Transmission failed. StatusCode: 401. Error from Ingestion: (To get exact error change LogLevel to Verbose). Action: Telemetry is stored offline for retry. Origin: Transmission. AAD Enabled: False. Instrumentation Key: 1111. Configured Endpoint: x. Actual Endpoint: x',
    'TOKEN_MISSING',
  ],
  [
    'dotnet-exporter-transmission-failed',
    'Transmission failed. StatusCode: 401. Error from Ingestion: x. Action: Telemetry is stored offline for retry. Origin: Transmission. AAD Enabled: True. Instrumentation Key: 1111.',
    'TOKEN_REJECTED',
  ],
  [
    'dotnet-tls',
    'System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot',
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
  ],
  [
    'python-401',
    "Retryable server side error: Operation returned an invalid status 'Unauthorized'. Your Application Insights resource may be configured to use entra ID authentication. Please make sure your application is configured to use the correct token credential.",
    'TOKEN_MISSING',
  ],
  [
    'python-403',
    "Retryable server side error: Operation returned an invalid status 'Forbidden'. Your application may be configured with a token credential but your Application Insights resource may be configured incorrectly. Please make sure your Application Insights resource has enabled entra Id authentication and has the correct `Monitoring Metrics Publisher` role assigned.",
    'ROLE_MISSING',
  ],
  [
    'python-invalid-status',
    "Non-retryable server side error: Operation returned an invalid status 'Bad Request'.",
    'ENTRA_ONLY_RESOURCE_V2_PATH',
  ],
  [
    'opencensus-401',
    'Authentication error 401: {"errors":[{"message":"Authentication required"}]}. Retrying.',
    'TOKEN_MISSING',
  ],
  [
    'opencensus-authentication-error',
    'Authentication error ClientSecretCredential.get_token failed: AADSTS7000215: Invalid client secret provided.',
    'ENTRA_INVALID_CLIENT_SECRET',
  ],
  [
    'python-tls',
    "requests.exceptions.SSLError: HTTPSConnectionPool(host='westus-0.in.applicationinsights.azure.com', port=443): [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
  ],
  [
    'node-aad-token',
    'ApplicationInsights:Failed to get AAD bearer token for the Application.This batch of telemetry items will be retried. Error:CredentialUnavailableError: ManagedIdentityCredential: no managed identity endpoint',
    'MANAGED_IDENTITY_NOT_FOUND',
  ],
  [
    'node-core-auth-missing',
    'ApplicationInsights:Cannot load @azure/core-auth package. This package is required for AAD token authentication.',
    'TOKEN_MISSING',
  ],
  [
    'invalid-ikey',
    'ApplicationInsights:Instrumentation key was invalid, please check the iKey',
    'INVALID_INSTRUMENTATION_KEY',
  ],
  [
    'circular-redirects',
    'Error sending telemetry because of circular redirects. Please check the integrity of your connection string.',
    'INGESTION_REDIRECT',
  ],
  [
    'node-tls',
    'Retrying due to transient client side error. Error message: unable to verify the first certificate',
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
  ],
  [
    'aadsts',
    '{"error":"invalid_request","error_description":"AADSTS90002: Tenant \'contoso.example\' not found."}',
    'ENTRA_TENANT_NOT_FOUND',
  ],
  [
    'status-400-authentication-not-supported',
    'HTTP/1.1 400 Authentication not supported',
    'ENTRA_ONLY_RESOURCE_V2_PATH',
  ],
  ['status-401', 'HTTP/1.1 401 Authorization required', 'TOKEN_MISSING'],
  ['status-403', 'HTTP/1.1 403 Unauthorized', 'ROLE_MISSING'],
  [
    'opencensus-credential-error',
    'Credential error. EnvironmentCredential authentication unavailable.. Dropping telemetry.',
    'TOKEN_MISSING',
  ],
  ['opencensus-403', 'Forbidden error 403: x. Retrying.', 'ROLE_MISSING'],
];

describe('explain: every message the troubleshooting article quotes', () => {
  it.each(SEED_ARTICLE)('%s', (_name, line, id) => {
    const recognition = recognise(line);
    expect(recognition?.ids[0]).toBe(id);
  });

  it('the article\'s reading of "authentication error" (role assignments) is offered as also possible', () => {
    expect(recognise(SEED_ARTICLE[11]![1])?.alsoPossible).toContain('ROLE_MISSING');
  });
});

describe('explain: the exact SDK strings of ingestion-facts §6', () => {
  it.each(SDK_STRINGS)('%s: %s', (recogniser, line, id) => {
    const recognition = recognise(line);
    expect(recognition).toMatchObject({ recogniser, ids: [id] });
  });

  it('every recogniser is exercised by a test line', () => {
    const used = new Set([...SDK_STRINGS, ...SEED_ARTICLE].map(([, line]) => recognise(line)?.recogniser));
    expect(RECOGNISER_NAMES.filter((name) => !used.has(name))).toEqual([]);
  });

  it('every id a recogniser can name is in the catalog', () => {
    const ids = new Set(allGuidance().map((e) => e.id));
    for (const [, line] of [...SDK_STRINGS, ...SEED_ARTICLE]) {
      const r = recognise(line)!;
      for (const id of [...r.ids, ...r.alsoPossible]) expect(ids).toContain(id);
    }
  });

  it('names the runtime from the wording', () => {
    expect(recognise(SEED_ARTICLE[6]![1])?.runtime).toBe('java');
    expect(recognise(SDK_STRINGS[16]![1])?.runtime).toBe('dotnet');
    expect(recognise(SEED_ARTICLE[3]![1])?.runtime).toBe('dotnet');
  });
});

async function run(text: string): Promise<{ out: string; result: { lines: number; recognised: number } }> {
  const out = new PassThrough();
  let written = '';
  out.on('data', (c: Buffer) => (written += c.toString()));
  const result = await explainStream(Readable.from([text]), out, 'app.log');
  return { out: written, result };
}

describe('explain over a log', () => {
  it('prints nothing for 1,000 lines of ordinary application log', async () => {
    const lines = ordinaryLog(1000);
    expect(lines).toHaveLength(1000);
    for (const line of lines) expect([line, recognise(line)]).toEqual([line, undefined]);
    const { out, result } = await run(lines.join('\n'));
    expect(out).toBe('');
    expect(result).toEqual({ lines: 1000, recognised: 0 });
  });

  it('prints the catalog entry the proxy uses, once, then refers to it', async () => {
    const java401 = SEED_ARTICLE[4]![1];
    const noise = ordinaryLog(5);
    const { out, result } = await run([...noise, java401, ...noise, java401].join('\n'));
    expect(result).toEqual({ lines: 12, recognised: 2 });
    const entry = allGuidance().find((e) => e.id === 'TOKEN_MISSING')!;
    expect(out).toContain(`app.log 6: ${java401}`);
    expect(out).toContain(`  → TOKEN_MISSING (error): ${entry.title}`);
    expect(out).toContain(entry.why);
    for (const step of entry.fix) expect(out).toContain(step);
    // Java wording: the Java steps, not the others.
    expect(out).toContain(entry.fixByRuntime!.java![0]!);
    expect(out).not.toContain(entry.fixByRuntime!.python![0]!);
    expect(out).toContain(`app.log 12: ${java401}`);
    expect(out).toContain(`  → TOKEN_MISSING: ${entry.title} (explained above)`);
    expect(out.split(entry.why)).toHaveLength(2);
    expect(out).toContain(
      'also possible (the proxy tells these apart from the traffic):\n    TOKEN_REJECTED: ',
    );
  });
});

describe('explain lookups use the same catalog', () => {
  it.each([
    ['401', 'TOKEN_MISSING'],
    ['AADSTS700016', 'ENTRA_APP_NOT_FOUND'],
    ['700016', 'ENTRA_APP_NOT_FOUND'],
    ['TOKEN_MISSING', 'TOKEN_MISSING'],
  ])('%s → %s', (query, id) => {
    const entries = lookupGuidance(query);
    expect(entries.map((e) => e.id)).toContain(id);
    const text = formatEntry(entries.find((e) => e.id === id)!).join('\n');
    expect(text.split('\n')[0]).toMatch(new RegExp(`^${id} \\((error|warning|info)\\): `));
    expect(text).toContain('learn more:\n    ');
  });
});
