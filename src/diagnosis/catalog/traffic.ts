import { LINKS } from './links';
import type { CatalogEntry } from './types';

/**
 * Findings that no single exchange shows: absences and patterns across the traffic so far
 * (src/diagnosis/traffic). Each fires once per cause and says when it cleared.
 */
export const TRAFFIC_ENTRIES: CatalogEntry[] = [
  {
    id: 'TOKEN_REQUEST_NOT_SEEN',
    stage: 'token-acquisition',
    severity: 'warning',
    title: 'Ingestion is refused, and no token request ever went through the proxy',
    symptom:
      'Telemetry arrives without an Authorization header and is refused, while the proxy has seen no call to the Entra token endpoint or to a managed-identity endpoint.',
    why: 'The identity client of the app either fails before it reaches the network (no credential configured, a missing environment variable, an exception swallowed by the SDK) or does not use the proxy: its token request goes straight out and times out or is blocked, so the SDK sends its batches without a token. Telemetry and token traffic often take different HTTP stacks with different proxy settings.',
    detection:
      'Across the traffic: at least one track or live-metrics request without Authorization answered 401/403 (any such request with --expect-entra), while no token-endpoint, IMDS or App Service identity exchange was seen, nor a tunnel to an Entra login host or a managed-identity address (a host left out of the scope). Clears when one is seen.',
    fix: [
      "Turn on the identity library's logging in the app and look for the token request and its error (it may be failing before the network).",
      'Make the identity client use the same proxy as the telemetry: most Azure Identity libraries read HTTPS_PROXY; the Java agent uses its own `proxy` setting for both.',
      'Managed identity on a VM or AKS goes to 169.254.169.254 over plain HTTP and normally bypasses proxies (keep it in NO_PROXY); the proxy then cannot see it, so check the identity itself (client id, assignment to the resource).',
    ],
    fixByRuntime: {
      java: [
        'The agent takes its proxy from applicationinsights.json (`"proxy": {"host": ..., "port": ...}`) or APPLICATIONINSIGHTS_PROXY; `-Dhttps.proxyHost` alone may not reach the identity client. Look for `MsalServiceException` or `ManagedIdentityCredential` in applicationinsights.log.',
      ],
      node: [
        '@azure/identity uses HTTPS_PROXY (upper or lower case); `AZURE_LOG_LEVEL=verbose` prints each token attempt and why it failed.',
      ],
      python: [
        'azure-identity honours HTTPS_PROXY through requests; set the `azure.identity` logger to DEBUG to see the token attempts.',
      ],
      dotnet: [
        'Azure.Identity uses HttpClient.DefaultProxy (HTTPS_PROXY on Linux); enable the `Azure-Identity` EventSource to see the token attempts.',
      ],
    },
    learnMore: [LINKS.troubleshootEntra, LINKS.entraAuth],
    statuses: [401],
  },
  {
    id: 'NO_TELEMETRY',
    stage: 'network',
    severity: 'warning',
    title: 'No telemetry reached the ingestion endpoint',
    symptom:
      'The proxy runs (and the app may have connected), but no track request arrived within --quiet-after seconds.',
    why: 'The app is not using the proxy for its telemetry, or its SDK never started. The usual causes are proxy settings the SDK does not read: HTTPS_PROXY without the `http://` scheme, the lower-case name that Node.js applicationinsights 2.x reads, HTTPS_PROXY given to a Java agent (which reads its own proxy settings), or a NO_PROXY that covers the ingestion host.',
    detection:
      'No /v2/track or /v2.1/track request carrying the app telemetry (SDK self-telemetry, statsbeat, does not count) within --quiet-after seconds (default 60) of the start, when --connection-string is given, or of the first connection through the proxy otherwise. Clears with the first one.',
    fix: [
      'Write the proxy URL with its scheme: `HTTPS_PROXY=http://127.0.0.1:8888`, not `127.0.0.1:8888`.',
      'Check that NO_PROXY does not list the ingestion host, `*.applicationinsights.azure.com` or `.azure.com`.',
      'Check that the app actually starts its SDK (connection string present, SDK initialised before the first request) and that its batches are due (most SDKs send every 5 to 15 seconds).',
    ],
    fixByRuntime: {
      java: [
        'Java agent: set `"proxy": {"host": "127.0.0.1", "port": 8888}` in applicationinsights.json or `APPLICATIONINSIGHTS_PROXY=http://127.0.0.1:8888`; the host must not carry a scheme in the json. Or start the JVM with the flags the troubleshooting article gives: `-Djava.net.useSystemProxies=true -Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=8888`. HTTPS_PROXY alone is not read: the Azure SDK inside the agent looks at it only with `-Djava.net.useSystemProxies=true`.',
      ],
      node: [
        'applicationinsights 2.x reads only the lower-case `https_proxy`; 3.x and @azure/monitor-opentelemetry read HTTPS_PROXY.',
      ],
      python: [
        'The exporter reads HTTPS_PROXY through requests; an explicit `proxies=` argument overrides it.',
      ],
      dotnet: [
        '.NET reads HTTPS_PROXY on Linux (lower case wins when both are set); on Windows it uses the system proxy unless told otherwise.',
      ],
    },
    learnMore: [LINKS.missingTelemetry, LINKS.javaConfig, LINKS.pythonProxy, LINKS.dotnetProxy],
  },
  {
    id: 'LIVE_METRICS_ONLY_FAILING',
    stage: 'delivery',
    severity: 'warning',
    title: 'Only Live Metrics fails: telemetry is accepted',
    symptom:
      'Live Metrics (QuickPulse) requests fail while track requests to the same resource are accepted: the portal shows data, but Live Metrics stays empty.',
    why: 'Live Metrics is a separate service with its own endpoint and its own authentication path. With Entra ID, some SDK versions do not send the token to Live Metrics, or the live endpoint is blocked by a firewall or not in the proxy scope. None of this affects regular telemetry.',
    detection:
      'A live-metrics request failed after the last one that succeeded, while the latest track request was accepted. Clears when a live-metrics request succeeds, when telemetry is refused too, or after 10 minutes without a live-metrics failure.',
    fix: [
      'Telemetry is fine; fix Live Metrics alone: update the SDK (Live Metrics with Entra ID needs a recent version) and check the per-exchange finding on the live-metrics request for its cause.',
      'Allow the live endpoint of the connection string (`*.livediagnostics.monitor.azure.com`) through firewalls and proxies.',
    ],
    learnMore: [LINKS.liveMetrics, LINKS.networkAccess],
  },
  {
    id: 'CLOUD_MISMATCH',
    stage: 'token',
    severity: 'error',
    title: 'The ingestion host, the connection string and the token belong to different Azure clouds',
    symptom:
      "Telemetry goes to one cloud's ingestion endpoint with a token for another cloud's Azure Monitor, or the connection string names a third.",
    why: 'Public Azure, Azure US Government and Azure China are separate: each ingestion service accepts only tokens for its own Azure Monitor audience, issued by its own Entra ID. A connection string copied from another cloud, an AADAudience left out for a sovereign cloud, or a credential whose authority host points at another cloud gives a token the service cannot accept.',
    detection:
      'The clouds of the recent ingestion and live-metrics hosts, of the connection strings given to the proxy, of the current token (aud) and of its issuer (when the issuer names a cloud) are not all the same. Clears when they agree again.',
    fix: [
      "Copy the whole connection string from the resource's portal page: for US Government and China it carries AADAudience and the right endpoints.",
      'Point the credential at the same cloud (authority host `login.microsoftonline.us` for US Government, `login.chinacloudapi.cn` for China).',
      'Do not override the token scope: the SDK derives it from the connection string.',
    ],
    learnMore: [LINKS.connectionStrings, LINKS.entraAuth],
  },
  {
    id: 'TOKEN_USED_AFTER_EXPIRY',
    stage: 'token-acquisition',
    severity: 'error',
    title: 'The same expired token is sent again and again',
    symptom: 'Several requests carry the same bearer token (same fingerprint), all after it expired.',
    why: "The SDK's token refresh is failing and it keeps the last token it had: the identity endpoint became unreachable (a proxy or firewall change, a managed identity removed), or the token was cached or injected by hand.",
    detection:
      'A token fingerprint was used at least twice after its exp (beyond the 5-minute clock tolerance). Clears when a different, current token of the same identity (tenant and object id) is used, or after 10 minutes without that token; the current token of another app through the same proxy does not clear it.',
    fix: [
      "Look at the app's identity logs for failing refreshes; the token endpoint or managed-identity exchanges in this log show the cause when they go through the proxy.",
      'Do not cache tokens yourself: give the SDK a credential object, which refreshes before exp.',
      'Check the clock of the sending machine.',
    ],
    learnMore: [LINKS.accessTokens, LINKS.troubleshootEntra],
    statuses: [401],
  },
  {
    id: 'RETRY_STORM',
    stage: 'delivery',
    severity: 'warning',
    title: 'The same batch is sent again and again, or throttling repeats',
    symptom:
      'One telemetry batch (same body) is posted many times, or the service answers 429/439 several times in a row.',
    why: 'SDKs keep failed batches and retry them; when the cause is permanent (a missing role, a wrong token) every retry fails the same way and adds load. Repeated 429 or 439 answers mean the resource is throttled or over its daily cap, and retrying sooner makes it worse.',
    detection:
      'A request body seen at least 3 times within 10 minutes without being accepted, or at least 3 consecutive 429/439 answers from one host to one iKey within 10 minutes. Clears when that batch is accepted or the host answers something else.',
    fix: [
      'Fix the cause shown by the per-exchange findings of those requests (the retries will then succeed or expire).',
      'For 429/439: lower the volume (sampling), raise or remove the daily cap, and respect Retry-After; do not restart the app in a loop, it resends its backlog.',
    ],
    learnMore: [LINKS.sampling, LINKS.dailyCap, LINKS.serviceLimits],
    statuses: [429, 439],
  },
];
