import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { allGuidance, lookupGuidance } from '../../src/diagnosis';
import { RECOGNISER_NAMES, recognise } from '../../src/sinks/explain';
import { formatEntry } from '../../src/sinks/explain-format';
import { explainStream } from '../../src/sinks/explain-stream';
import { ordinaryLog } from './ordinary-log';

/**
 * Where each wording was checked: the SDK's own source text (found with the code search, read at
 * the tag or commit named), or the troubleshooting article's section. docs/fidelity.md lists them.
 */
const SRC = {
  javaChannel324:
    'microsoft/ApplicationInsights-Java@3.2.4 agent/agent-tooling/src/main/java/com/microsoft/applicationinsights/agent/internal/telemetry/TelemetryChannel.java',
  javaChannel3211:
    'microsoft/ApplicationInsights-Java@3.2.11 agent/agent-tooling/src/main/java/com/microsoft/applicationinsights/agent/internal/telemetry/TelemetryChannel.java',
  javaListener33:
    'microsoft/ApplicationInsights-Java@3.3.0 agent/azure-monitor-exporter/src/main/java/com/azure/monitor/opentelemetry/exporter/implementation/logging/DiagnosticTelemetryPipelineListener.java',
  javaListenerSdk:
    'Azure/azure-sdk-for-java sdk/monitor/azure-monitor-opentelemetry-exporter/src/main/java/com/azure/monitor/opentelemetry/exporter/implementation/logging/DiagnosticTelemetryPipelineListener.java',
  javaConfig:
    'microsoft/ApplicationInsights-Java@3.4.0 agent/agent-tooling/src/main/java/com/microsoft/applicationinsights/agent/internal/configuration/Configuration.java',
  javaFriendly:
    'microsoft/ApplicationInsights-Java@3.4.0 agent/azure-monitor-exporter/src/main/java/com/azure/monitor/opentelemetry/exporter/implementation/logging/NetworkFriendlyExceptions.java',
  jsExporter:
    '@azure/monitor-opentelemetry-exporter@1.0.0-beta.47 (node_modules) dist/commonjs/platform/nodejs/httpSender.js, baseSender.js',
  dotnetCore:
    'microsoft/ApplicationInsights-dotnet BASE/src/Microsoft.ApplicationInsights/Extensibility/Implementation/Tracing/CoreEventSource.cs',
  dotnetChannel:
    'microsoft/ApplicationInsights-dotnet BASE/src/ServerTelemetryChannel/Implementation/TelemetryChannelEventSource.cs',
  dotnetExporter:
    'Azure/azure-sdk-for-net sdk/monitor/Azure.Monitor.OpenTelemetry.Exporter/src/Internals/Diagnostics/AzureMonitorExporterEventSource.cs',
  pythonBase:
    'Azure/azure-sdk-for-python sdk/monitor/azure-monitor-opentelemetry-exporter/azure/monitor/opentelemetry/exporter/export/_base.py',
  opencensus111:
    'census-instrumentation/opencensus-python@opencensus-ext-azure@1.1.1 contrib/opencensus-ext-azure/opencensus/ext/azure/common/transport.py',
  opencensus117:
    'census-instrumentation/opencensus-python@opencensus-ext-azure@1.1.7 contrib/opencensus-ext-azure/opencensus/ext/azure/common/transport.py',
  node2:
    'applicationinsights@2.9.8 (node_modules) out/Library/Sender.js, out/Library/AuthorizationHandler.js',
  identity: 'azure-identity / MSAL exception names (Azure.Identity, com.azure.identity, msal4j)',
  runtimeTls: 'runtime TLS error texts (.NET, OpenSSL, Node)',
  entra: 'Entra ID error responses (ingestion-facts §5)',
  article: 'shared/seed troubleshooting article',
} as const;

/** Every SDK/agent log message the troubleshooting article (shared/seed) quotes, and its entry. */
const SEED_ARTICLE: [string, string, string, string][] = [
  [
    'Fiddler: 400 Authentication not supported',
    'HTTP/1.1 400 Authentication not supported',
    'ENTRA_ONLY_RESOURCE_V2_PATH',
    `${SRC.article}: Ingestion HTTP errors`,
  ],
  [
    'Fiddler: 401 Authorization required',
    'HTTP/1.1 401 Authorization required',
    'TOKEN_MISSING',
    `${SRC.article}: Ingestion HTTP errors`,
  ],
  [
    'Fiddler: 403 Unauthorized',
    'HTTP/1.1 403 Unauthorized',
    'ROLE_MISSING',
    `${SRC.article}: Ingestion HTTP errors`,
  ],
  [
    '.NET event source: Failed to get AAD Token',
    'Failed to get AAD Token. Error message: ClientSecretCredential authentication failed: A configuration issue is preventing authentication.',
    'ENTRA_TOKEN_ERROR',
    `${SRC.article}: .NET: Event source`,
  ],
  [
    'Java 401 (TelemetryChannel)',
    'WARN c.m.a.TelemetryChannel - Failed to send telemetry with status code: 401, please check your credentials',
    'TOKEN_MISSING',
    `${SRC.article}: Java`,
  ],
  [
    'Java/Fiddler: 401 reason phrase',
    'HTTP/1.1 401 Unauthorized - please provide the valid authorization token',
    'TOKEN_MISSING',
    `${SRC.article}: Java`,
  ],
  [
    'Java CredentialUnavailableException',
    'com.azure.identity.CredentialUnavailableException: ManagedIdentityCredential authentication unavailable. Connection to IMDS endpoint cannot be established',
    'MANAGED_IDENTITY_NOT_FOUND',
    `${SRC.article}: Java`,
  ],
  [
    'Java 403 (TelemetryChannel)',
    'WARN c.m.a.TelemetryChannel - Failed to send telemetry with status code: 403, please check your credentials',
    'ROLE_MISSING',
    `${SRC.article}: Java`,
  ],
  [
    'Java/Fiddler: 403 reason phrase',
    'HTTP/1.1 403 Forbidden - provided credentials do not grant the access to ingest the telemetry into the component',
    'ROLE_MISSING',
    `${SRC.article}: Java`,
  ],
  [
    'Java invalid client id (MsalServiceException)',
    'com.microsoft.aad.msal4j.MsalServiceException: Application with identifier <CLIENT_ID> was not found in the directory',
    'ENTRA_APP_NOT_FOUND',
    `${SRC.article}: Java`,
  ],
  [
    'Python "credential error" (system identity not there)',
    'WARNING:opencensus.ext.azure.common.transport:Credential error. ManagedIdentityCredential authentication unavailable, no managed identity endpoint found.. Dropping telemetry.',
    'MANAGED_IDENTITY_NOT_FOUND',
    `${SRC.article}: Python`,
  ],
  [
    'Python "authentication error" (no status code)',
    'WARNING:opencensus.ext.azure.common.transport:Authentication error ClientSecretCredential.get_token failed: Authentication failed.',
    'ENTRA_TOKEN_ERROR',
    `${SRC.article}: Python`,
  ],
  [
    'Python status code 400 in the error log',
    'WARNING:opencensus.ext.azure.common.transport:Non-retryable server side error 400: Authentication not supported.',
    // The article: "missing a credential or your credential is set to None" (and /v2.1/track is its path).
    'TOKEN_MISSING',
    `${SRC.article}: Python`,
  ],
  [
    'Python status code 403 in the error log',
    'WARNING:opencensus.ext.azure.common.transport:Forbidden error 403: {"errors":[{"message":"Forbidden"}]}. Retrying.',
    'ROLE_MISSING',
    `${SRC.article}: Python`,
  ],
];

/** Messages from ingestion-facts §6 (exact SDK strings), with their entry. */
const SDK_STRINGS: [string, string, string, string][] = [
  [
    'java-401',
    'Sending telemetry to the ingestion service: Authentication required. Please provide Azure Active Directory credentials (telemetry will be stored to disk and retried) (future warnings will be aggregated and logged once every 5 minutes)',
    'TOKEN_MISSING',
    SRC.javaListenerSdk,
  ],
  [
    'java-403',
    'Sending telemetry to the ingestion service (retry from disk): Forbidden. Please check your Azure Active Directory credentials, they might be incorrect or expired (telemetry will be stored to disk and retried)',
    'ROLE_MISSING',
    SRC.javaListenerSdk,
  ],
  [
    'java-3.2-status',
    'Failed to send telemetry with status code:401, please check your credentials',
    'TOKEN_MISSING',
    SRC.javaChannel324,
  ],
  [
    'java-3.2-status',
    'Failed to send telemetry with status code:403 ,please check your credentials',
    'ROLE_MISSING',
    SRC.javaChannel324,
  ],
  [
    'java-unparsable-status',
    'Sending telemetry to the ingestion service: Ingestion service returned 401, but could not parse response as json: <html>',
    'TOKEN_MISSING',
    SRC.javaListener33,
  ],
  [
    'java-daily-quota',
    'Sending telemetry to the ingestion service: Received response code 402 (daily quota exceeded and throttled over extended time)',
    'THROTTLED',
    SRC.javaListener33,
  ],
  [
    'java-response-code',
    'Sending telemetry to the ingestion service: Received response code 400 (Invalid instrumentation key)',
    'INVALID_INSTRUMENTATION_KEY',
    SRC.javaListener33,
  ],
  [
    'java-response-code',
    ' * Received response code 503 (3 times)',
    'INGESTION_SERVER_ERROR',
    SRC.javaListener33,
  ],
  [
    'java-response-code',
    "Sending telemetry to the ingestion service: Received response code 206 (Field 'time' on type 'Envelope' is required)",
    'PARTIAL_ACCEPTANCE',
    SRC.javaListener33,
  ],
  [
    'java-redirect',
    'Sending telemetry to the ingestion service: Too many redirects',
    'INGESTION_REDIRECT',
    SRC.javaListenerSdk,
  ],
  [
    'circular-redirects',
    'Envelopes could not be exported and are not retriable. Error message: Refused cross-origin redirect',
    'INGESTION_REDIRECT',
    SRC.jsExporter,
  ],
  [
    'circular-redirects',
    'Refusing cross-origin redirect to https://evil.example: target is neither the configured ingestion host nor an Azure Monitor domain',
    'INGESTION_REDIRECT',
    SRC.jsExporter,
  ],
  [
    'java-pkix',
    'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
    SRC.javaFriendly,
  ],
  ['java-unknown-host', 'Unable to resolve host in url', 'UPSTREAM_UNREACHABLE', SRC.javaFriendly],
  [
    'java-config-clientid',
    'AAD Authentication configuration of type User Assigned Managed Identity is missing "clientId".',
    'TOKEN_MISSING',
    SRC.javaConfig,
  ],
  [
    'msal-exception',
    'com.microsoft.aad.msal4j.MsalServiceException: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.',
    'ENTRA_INVALID_CLIENT_SECRET',
    SRC.identity,
  ],
  [
    'msal-exception',
    'com.microsoft.aad.msal4j.MsalServiceException: AADSTS7000222: The provided client secret keys for app are expired.',
    'ENTRA_CLIENT_SECRET_EXPIRED',
    SRC.identity,
  ],
  [
    'msal-exception',
    'com.microsoft.aad.msal4j.MsalServiceException: AADSTS90002: Tenant not found.',
    'ENTRA_TENANT_NOT_FOUND',
    SRC.identity,
  ],
  [
    'credential-unavailable',
    'Azure.Identity.CredentialUnavailableException: EnvironmentCredential authentication unavailable. Environment variables are not fully configured.',
    'TOKEN_MISSING',
    SRC.identity,
  ],
  [
    'app-not-found',
    "ClientSecretCredential authentication failed: Application with identifier 'abc' was not found in the directory 'contoso'",
    'ENTRA_APP_NOT_FOUND',
    SRC.entra,
  ],
  [
    'dotnet-failed-to-get-token',
    'Failed to get AAD Token. Error message: ManagedIdentityCredential authentication failed: Identity not found.',
    'MANAGED_IDENTITY_NOT_FOUND',
    SRC.dotnetCore,
  ],
  [
    'dotnet-failed-to-get-token',
    'Failed to get AAD Token. Error message: AADSTS700016: Application with identifier x was not found.',
    'ENTRA_APP_NOT_FOUND',
    SRC.dotnetCore,
  ],
  [
    'dotnet-authenticated-transmission-error',
    'AuthenticatedTransmissionError. Received a failed ingestion response. TransmissionId: 1a2b. Status Code: 403. Status Description: Forbidden - provided credentials do not grant the access to ingest the telemetry into the component',
    'ROLE_MISSING',
    SRC.dotnetChannel,
  ],
  [
    'dotnet-authenticated-transmission-error',
    'AuthenticatedTransmissionError. Received a failed ingestion response. TransmissionId: 1a2b. Status Code: 401. Status Description: Unauthorized - please provide the valid authorization token',
    'TOKEN_REJECTED',
    SRC.dotnetChannel,
  ],
  [
    'dotnet-quickpulse-token',
    "QuickPulse failed to get an auth token. Check 'CoreEventSource.FailedToGetToken' for full exception.",
    'ENTRA_TOKEN_ERROR',
    SRC.dotnetCore,
  ],
  [
    'dotnet-redirect',
    'Ingestion Service responded with redirect. https://westus-0.in.applicationinsights.azure.com/',
    'INGESTION_REDIRECT',
    SRC.dotnetCore,
  ],
  [
    'dotnet-exporter-transmission-failed',
    'Transmission failed. StatusCode: 401. Error from Ingestion: (To get exact error change LogLevel to Verbose). Action: Telemetry is stored offline for retry. Origin: Transmission. AAD Enabled: False. Instrumentation Key: 1111. Configured Endpoint: x. Actual Endpoint: x',
    'TOKEN_MISSING',
    SRC.dotnetExporter,
  ],
  [
    'dotnet-exporter-transmission-failed',
    'Transmission failed. StatusCode: 401. Error from Ingestion: x. Action: Telemetry is stored offline for retry. Origin: Transmission. AAD Enabled: True. Instrumentation Key: 1111.',
    'TOKEN_REJECTED',
    SRC.dotnetExporter,
  ],
  [
    'dotnet-tls',
    'System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot',
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
    SRC.runtimeTls,
  ],
  [
    'python-401',
    "Retryable server side error: Operation returned an invalid status 'Unauthorized'. Your Application Insights resource may be configured to use entra ID authentication. Please make sure your application is configured to use the correct token credential.",
    'TOKEN_MISSING',
    SRC.pythonBase,
  ],
  [
    'python-403',
    "Retryable server side error: Operation returned an invalid status 'Forbidden'. Your application may be configured with a token credential but your Application Insights resource may be configured incorrectly. Please make sure your Application Insights resource has enabled entra Id authentication and has the correct `Monitoring Metrics Publisher` role assigned.",
    'ROLE_MISSING',
    SRC.pythonBase,
  ],
  [
    'python-invalid-status',
    "Non-retryable server side error: Operation returned an invalid status 'Bad Request'.",
    'TOKEN_MISSING',
    SRC.pythonBase,
  ],
  [
    'python-data-drop',
    "Data drop 400: 109: Field 'time' on type 'Envelope' is required but missing or empty. Expected: string, Actual: undefined {'name': 'Microsoft.ApplicationInsights.Message'}.",
    'PARTIAL_ACCEPTANCE',
    SRC.pythonBase,
  ],
  [
    'python-data-drop',
    "Data drop 400: Invalid instrumentation key {'name': 'Microsoft.ApplicationInsights.Message'}.",
    'INVALID_INSTRUMENTATION_KEY',
    SRC.pythonBase,
  ],
  [
    'opencensus-401',
    'Authentication error 401: {"errors":[{"message":"Authentication required"}]}. Retrying.',
    'TOKEN_MISSING',
    SRC.opencensus117,
  ],
  [
    'opencensus-authentication-error',
    'Authentication error ClientSecretCredential.get_token failed: AADSTS7000215: Invalid client secret provided.',
    'ENTRA_INVALID_CLIENT_SECRET',
    SRC.opencensus111,
  ],
  [
    'python-tls',
    "requests.exceptions.SSLError: HTTPSConnectionPool(host='westus-0.in.applicationinsights.azure.com', port=443): [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
    SRC.runtimeTls,
  ],
  [
    'node-aad-token',
    'ApplicationInsights:Failed to get AAD bearer token for the Application.This batch of telemetry items will be retried. Error:CredentialUnavailableError: ManagedIdentityCredential: no managed identity endpoint',
    'MANAGED_IDENTITY_NOT_FOUND',
    SRC.node2,
  ],
  [
    'node-core-auth-missing',
    'ApplicationInsights:Cannot load @azure/core-auth package. This package is required for AAD token authentication.',
    'TOKEN_MISSING',
    SRC.node2,
  ],
  [
    'invalid-ikey',
    'ApplicationInsights:Instrumentation key was invalid, please check the iKey',
    'INVALID_INSTRUMENTATION_KEY',
    SRC.node2,
  ],
  [
    'circular-redirects',
    'Error sending telemetry because of circular redirects. Please check the integrity of your connection string.',
    'INGESTION_REDIRECT',
    SRC.node2,
  ],
  [
    'node-tls',
    'Retrying due to transient client side error. Error message: unable to verify the first certificate',
    'CLIENT_DOES_NOT_TRUST_PROXY_CA',
    SRC.runtimeTls,
  ],
  [
    'aadsts',
    '{"error":"invalid_request","error_description":"AADSTS90002: Tenant \'contoso.example\' not found."}',
    'ENTRA_TENANT_NOT_FOUND',
    SRC.entra,
  ],
  [
    'status-400-authentication-not-supported',
    'HTTP/1.1 400 Authentication not supported',
    'ENTRA_ONLY_RESOURCE_V2_PATH',
    SRC.article,
  ],
  ['status-401', 'HTTP/1.1 401 Authorization required', 'TOKEN_MISSING', SRC.article],
  ['status-403', 'HTTP/1.1 403 Unauthorized', 'ROLE_MISSING', SRC.article],
  [
    'opencensus-credential-error',
    'Credential error. EnvironmentCredential authentication unavailable.. Dropping telemetry.',
    'TOKEN_MISSING',
    SRC.opencensus111,
  ],
  ['opencensus-403', 'Forbidden error 403: x. Retrying.', 'ROLE_MISSING', SRC.opencensus117],
];

/**
 * Issue 11 item 6: the wordings that differ between versions of one SDK (capitals, suffixes), each
 * with the version whose source has it.
 */
const ACROSS_VERSIONS: [string, string, string, string][] = [
  [
    'java-401',
    'Sending telemetry to the ingestion service: Authentication required. Please provide Azure Active Directory credentials (telemetry will be stored to disk and retried later)',
    'TOKEN_MISSING',
    SRC.javaChannel3211,
  ],
  [
    'java-401-authentication-required',
    'Sending telemetry to the ingestion service (retry from disk): Authentication required',
    'TOKEN_MISSING',
    SRC.javaListener33,
  ],
  [
    'java-401-authentication-required',
    ' * Authentication required (3 times)',
    'TOKEN_MISSING',
    SRC.javaListener33,
  ],
  [
    'java-unparsable-status',
    'Sending telemetry to the ingestion service: ingestion service returned 401, but could not parse response as json: <html>',
    'TOKEN_MISSING',
    SRC.javaChannel3211,
  ],
  [
    'java-unparsable-status',
    'Sending telemetry to the ingestion service: Ingestion service returned 403, but could not parse response as json: <html>',
    'ROLE_MISSING',
    SRC.javaListenerSdk,
  ],
  [
    'java-response-code',
    'Sending telemetry to the ingestion service: received response code 503 (telemetry will be stored to disk and retried later)',
    'INGESTION_SERVER_ERROR',
    SRC.javaChannel3211,
  ],
  [
    'java-response-code',
    'Sending telemetry to the ingestion service: Received response code 503 (telemetry will be lost)',
    'INGESTION_SERVER_ERROR',
    SRC.javaListenerSdk,
  ],
  [
    'java-daily-quota',
    'Sending telemetry to the ingestion service: received response code 439 (daily quota exceeded and throttled over extended time)',
    'THROTTLED',
    SRC.javaChannel3211,
  ],
  [
    'java-3.2-status',
    'Failed to send telemetry with status code:401 ,please check your credentials',
    'TOKEN_MISSING',
    'microsoft/ApplicationInsights-Java@3.2.0-BETA core/src/main/java/com/microsoft/applicationinsights/TelemetryChannel.java',
  ],
  [
    'opencensus-401',
    'WARNING:opencensus.ext.azure.common.transport:Authentication error 401: {"itemsReceived":1,"itemsAccepted":0,"errors":[{"index":0,"statusCode":401,"message":"Authentication required"}]}.',
    'TOKEN_MISSING',
    SRC.opencensus111,
  ],
  [
    'opencensus-401',
    'Authentication error 401: {"errors":[{"message":"Authentication required"}]}. Retrying.',
    'TOKEN_MISSING',
    SRC.opencensus117,
  ],
  [
    'opencensus-403',
    'Forbidden error 403: {"itemsReceived":1,"itemsAccepted":0,"errors":[{"index":0,"statusCode":403,"message":"Forbidden"}]}.',
    'ROLE_MISSING',
    SRC.opencensus111,
  ],
  [
    'opencensus-status',
    'ERROR:opencensus.ext.azure.common.transport:Non-retryable server side error 400: {"itemsReceived":1,"itemsAccepted":0,"errors":[{"index":0,"statusCode":400,"message":"Authentication not supported"}]}.',
    'TOKEN_MISSING',
    SRC.opencensus111,
  ],
  [
    'opencensus-status',
    'Transient server side error 503: Service Unavailable.',
    'INGESTION_SERVER_ERROR',
    SRC.opencensus111,
  ],
  [
    'opencensus-credential-error',
    'Credential error. DefaultAzureCredential failed to retrieve a token from the included credentials.',
    'TOKEN_MISSING',
    SRC.opencensus111,
  ],
  [
    'opencensus-credential-error',
    'Credential error. ManagedIdentityCredential authentication unavailable, no managed identity endpoint found.. Dropping telemetry.',
    'MANAGED_IDENTITY_NOT_FOUND',
    SRC.opencensus117,
  ],
];

describe('explain: wordings across SDK versions (issue 11 item 6)', () => {
  it.each(ACROSS_VERSIONS)('%s: %s', (recogniser, line, id, _source) => {
    expect(recognise(line)).toMatchObject({ recogniser, ids: [id] });
  });

  // Later OpenCensus versions post to /v2.1/track with or without a credential (transport.py:
  // `endpoint += '/v2.1/track'`); the first ones that took a credential (1.1.1) used /v2/track without one.
  it('an OpenCensus 400 that names no cause is first the missing token, /v2/track only also possible', () => {
    const r = recognise(
      'Non-retryable server side error 400: {"itemsReceived":1,"itemsAccepted":0,"errors":[]}.',
    );
    expect(r?.ids).toEqual(['TOKEN_MISSING']);
    expect(r?.alsoPossible).toContain('ENTRA_ONLY_RESOURCE_V2_PATH');
  });

  it('a bare "400 Authentication not supported" status line also offers the /v2.1 missing token', () => {
    const r = recognise('HTTP/1.1 400 Authentication not supported');
    expect(r).toMatchObject({ ids: ['ENTRA_ONLY_RESOURCE_V2_PATH'], alsoPossible: ['TOKEN_MISSING'] });
  });

  it.each(['401', '403'])(
    'a .NET exporter %s with "AAD Enabled: False" is the missing token: no identity or token to blame',
    (code) => {
      const r = recognise(
        `Transmission failed. StatusCode: ${code}. Error from Ingestion: x. Action: Telemetry is stored offline for retry. Origin: Transmission. AAD Enabled: False.`,
      );
      expect(r).toMatchObject({ ids: ['TOKEN_MISSING'], alsoPossible: [] });
    },
  );

  // IMDS not reached at all (ingestion-facts §5.2: Java adds ", <cause>" to a connection failure):
  // no identity was looked up, so "no managed identity matches" would send the reader the wrong way.
  it.each([
    'com.azure.identity.CredentialUnavailableException: ManagedIdentityCredential authentication unavailable. Connection to IMDS endpoint cannot be established, connect timed out.',
    'azure.identity._exceptions.CredentialUnavailableError: ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint.',
    'Failed to get AAD Token. Error message: ManagedIdentityCredential authentication unavailable. No response received from the managed identity endpoint.',
  ])(
    'an identity endpoint that was never reached is the missing token, not an unknown identity: %s',
    (line) => {
      expect(recognise(line)).toMatchObject({
        ids: ['TOKEN_MISSING'],
        alsoPossible: ['MANAGED_IDENTITY_ERROR'],
      });
    },
  );

  // The Java agent and the .NET exporter post to /v2.1/track with or without a credential too.
  it.each([
    'Sending telemetry to the ingestion service: Received response code 400 (Authentication not supported)',
    'Sending telemetry to the ingestion service: Ingestion service returned 400, but could not parse response as json: <html/>',
    'WARN c.m.a.TelemetryChannel - Failed to send telemetry with status code: 400, please check your credentials',
    'Transmission failed. StatusCode: 400. Error from Ingestion: Authentication not supported. Action: Telemetry is dropped. Origin: Transmission. AAD Enabled: False.',
  ])('a 400 of a /v2.1-only sender is the missing token, never /v2/track: %s', (line) => {
    const r = recognise(line);
    expect(r?.ids).toEqual(['TOKEN_MISSING']);
    expect(r?.alsoPossible).not.toContain('ENTRA_ONLY_RESOURCE_V2_PATH');
  });

  // The Python exporter always posts to /v2.1/track: the /v2/track entry is never its reading.
  it.each(["'Bad Request'", "'Authentication not supported'"])(
    'a Python exporter 400 (%s) is the missing token, never /v2/track',
    (reason) => {
      const r = recognise(`Non-retryable server side error: Operation returned an invalid status ${reason}.`);
      expect(r?.ids).toEqual(['TOKEN_MISSING']);
      expect([...(r?.ids ?? []), ...(r?.alsoPossible ?? [])]).not.toContain('ENTRA_ONLY_RESOURCE_V2_PATH');
    },
  );

  it.each([
    'User bob: Authentication error 401: wrong password',
    'Forbidden error 403: you may not see /admin',
    'Non-retryable server side error 400: bad request from client 10.0.0.1',
    'Credential error. Please log in again',
    'received response code 503 from the payment gateway',
  ])('negative: an application line with a similar shape stays silent: %s', (line) => {
    expect(recognise(line)).toBeUndefined();
  });

  it('every source cited in these tables is listed in docs/fidelity.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/fidelity.md'), 'utf8');
    const sources = new Set([...SDK_STRINGS, ...ACROSS_VERSIONS].map(([, , , source]) => source));
    for (const source of sources)
      expect({ source, listed: doc.includes(source) }).toEqual({ source, listed: true });
  });
});

describe('explain: every message the troubleshooting article quotes', () => {
  it.each(SEED_ARTICLE)('%s', (_name, line, id, _source) => {
    const recognition = recognise(line);
    expect(recognition?.ids[0]).toBe(id);
  });

  it('the article\'s reading of "authentication error" (role assignments) is offered as also possible', () => {
    expect(recognise(SEED_ARTICLE[11]![1])?.alsoPossible).toContain('ROLE_MISSING');
  });
});

describe('explain: the exact SDK strings of ingestion-facts §6', () => {
  it.each(SDK_STRINGS)('%s: %s', (recogniser, line, id, _source) => {
    const recognition = recognise(line);
    expect(recognition).toMatchObject({ recogniser, ids: [id] });
  });

  it('every recogniser is exercised by a test line', () => {
    const used = new Set(
      [...SDK_STRINGS, ...SEED_ARTICLE, ...ACROSS_VERSIONS].map(([, line]) => recognise(line)?.recogniser),
    );
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
    const dotnetLine = SDK_STRINGS.find(([, line]) =>
      line.startsWith('Azure.Identity.CredentialUnavailableException'),
    )!;
    expect(recognise(dotnetLine[1])?.runtime).toBe('dotnet');
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
  it('explain 401 and 403 list the /v2.1/track token and role entries first', () => {
    expect(lookupGuidance('401')[0]?.id).toBe('TOKEN_MISSING');
    expect(
      lookupGuidance('403')
        .map((e) => e.id)
        .slice(0, 3),
    ).toEqual(['TOKEN_EXPIRED', 'TOKEN_WRONG_AUDIENCE', 'ROLE_MISSING']);
  });

  it('bare digits shorter than an AADSTS code are a status or nothing (999 is neither; 0401 is 401)', () => {
    expect(lookupGuidance('999')).toEqual([]);
    expect(lookupGuidance('42')).toEqual([]);
    expect(lookupGuidance('0401').map((e) => e.id)).toEqual(lookupGuidance('401').map((e) => e.id));
    expect(lookupGuidance('50076').length).toBeGreaterThan(0);
  });

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
