import type { Runtime } from '../../model/finding';

/**
 * Fix steps that several catalog entries share, per runtime. `{caCertPath}` is replaced by the
 * proxy's CA path when the finding is built.
 */

type Steps = Partial<Record<Runtime, string[]>>;

/**
 * How each runtime gets a credential, and where it says why it could not get a token. Facts
 * checked against the SDKs' source (docs/fidelity.md says where).
 */
export const ENABLE_ENTRA: Steps = {
  java: [
    'The place of the `authentication` block in applicationinsights.json depends on the agent version: 3.4.17 and later read it at the top level; 3.2.0 to 3.4.16 read it only inside `"preview"` (`"preview": { "authentication": { ... } }`), and later versions still accept that place with a warning. The block itself: `{ "enabled": true, "type": "UAMI", "clientId": "<client id of the user-assigned identity>" }`; `"type": "SAMI"` for a system-assigned identity, or `"type": "CLIENTSECRET"` with `tenantId`, `clientId` and `clientSecret` for an app registration.',
    'Or, without touching the file (any 3.2.0 or later agent), set `APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD` (system-assigned) or `Authorization=AAD;ClientId=<client id>` (user-assigned) in the environment of the JVM.',
    'The agent writes token and ingestion failures to its own log (applicationinsights.log next to the jar, or stdout): look for `ManagedIdentityCredential`, `MsalServiceException` or `Sending telemetry to the ingestion service`.',
    'A GraalVM native image (Spring Boot or Quarkus native) cannot use Entra ID authentication for Application Insights at all: run that app on a JVM with the agent, or send its telemetry to a resource that keeps local authentication.',
  ],
  node: [
    '@azure/monitor-opentelemetry or applicationinsights 3.x: pass a credential with the connection string, e.g. `useAzureMonitor({ azureMonitorExporterOptions: { connectionString, credential: new ManagedIdentityCredential({ clientId }) } })`.',
    'Classic API (applicationinsights 2.x, or the 3.x shim): set `appInsights.defaultClient.config.aadTokenCredential = credential` before `start()`.',
    'Exporter used on its own: `new AzureMonitorTraceExporter({ connectionString, credential })`.',
    'applicationinsights 2.x says nothing about Entra ID unless asked: chain `.setInternalLogging(true, true)` after `setup(...)` and the console shows token failures (`Failed to get AAD bearer token for the Application.`) and ingestion refusals.',
    'For @azure/identity itself, run with `AZURE_LOG_LEVEL=verbose` to see why it could not get a token.',
  ],
  python: [
    'Pass `credential=` with the connection string: `configure_azure_monitor(connection_string=..., credential=ManagedIdentityCredential(client_id="<client id>"))`, or the same keyword on `AzureMonitorTraceExporter`, `AzureMonitorLogExporter` and `AzureMonitorMetricExporter`. A missing credential, or `credential=None`, sends telemetry without a token.',
    'Set the `azure.identity` and `azure.monitor.opentelemetry.exporter` loggers to DEBUG to see token and transmission errors.',
    'OpenCensus (retired) exporters also take `credential=`; the first versions that do post to /v2/track without one, later ones to /v2.1/track either way. Plan the move to the OpenTelemetry distro.',
  ],
  dotnet: [
    'OpenTelemetry distro or exporter (and Application Insights 3.x): set `options.Credential = new ManagedIdentityCredential("<client id>")` (or `DefaultAzureCredential`) in `UseAzureMonitor(...)` / `AddAzureMonitorTraceExporter(...)`.',
    'Classic SDK 2.x: call `telemetryConfiguration.SetAzureTokenCredential(credential)`; without a credential this SDK posts to `/v2/track` without a token.',
    'The SDKs log through EventSource, not to a file: collect the events with PerfView on Windows (`PerfView collect -OnlyProviders=*Microsoft-ApplicationInsights-Core,*Microsoft-ApplicationInsights-WindowsServer-TelemetryChannel`), or with `dotnet-trace collect --process-id <pid> --providers Microsoft-ApplicationInsights-Core,Microsoft-ApplicationInsights-WindowsServer-TelemetryChannel` on any OS; for the OpenTelemetry exporter the provider is `OpenTelemetry-AzureMonitor-Exporter`.',
    'In those events a token failure reads `Failed to get AAD Token. Error message:` (classic SDK), a refused batch `AuthenticatedTransmissionError` (classic) or `Transmission failed. StatusCode:` (exporter).',
  ],
};

export const TRUST_PROXY_CA: Steps = {
  java: [
    "Use the truststore the proxy writes next to its CA (`truststore.p12`, our CA plus the JDK's default roots, so token and other TLS calls keep working); `appinsights-auth-proxy ca truststore` makes it again and `appinsights-auth-proxy ca setup java` prints the exact flags.",
    'Start the JVM with `-Djavax.net.ssl.trustStore=<ca dir>/truststore.p12 -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit` next to the proxy flags (`-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=<port>`); for an app whose command line you cannot change, put them in `JAVA_TOOL_OPTIONS`.',
    'Without the tool: copy the JDK\'s trust store and add the CA to the copy: `cp "$JAVA_HOME/lib/security/cacerts" proxy-cacerts` then `keytool -importcert -noprompt -alias appinsights-auth-proxy -file {caCertPath} -keystore proxy-cacerts -storepass changeit`. A store holding only the proxy CA breaks every TLS call the proxy does not intercept.',
    'The JVM reports this as `PKIX path building failed ... unable to find valid certification path to requested target`.',
  ],
  node: [
    'Start Node with `NODE_EXTRA_CA_CERTS={caCertPath}`: it is read once at process start, so restart the app.',
    'The exporter reports this as `unable to verify the first certificate` (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`) and drops the batch; it closes the connection without a TLS alert, which is why the proxy can only say "likely".',
  ],
  python: [
    '`REQUESTS_CA_BUNDLE` replaces the default bundle, so build one that holds both: `cat "$(python3 -m certifi || echo /etc/ssl/certs/ca-certificates.crt)" {caCertPath} > proxy-bundle.pem` then `export REQUESTS_CA_BUNDLE=$PWD/proxy-bundle.pem`.',
    'Or pass `connection_verify="proxy-bundle.pem"` to the exporter and the credential (an azure-core option).',
  ],
  dotnet: [
    'Linux: copy the CA to `/usr/local/share/ca-certificates/appinsights-auth-proxy.crt` (PEM) and run `update-ca-certificates`, or point `SSL_CERT_FILE` at a bundle that includes it.',
    'Windows: `certutil -user -addstore Root {caCertPath}`, then restart the app.',
  ],
};
