import { LINKS } from './links';
import { ENABLE_ENTRA } from './runtime-steps';
import type { CatalogEntry } from './types';

/** What the ingestion and live metrics endpoints answered. */
export const INGESTION_ENTRIES: CatalogEntry[] = [
  {
    id: 'ENTRA_ONLY_RESOURCE_V2_PATH',
    severity: 'error',
    stage: 'api-path',
    severityCases: [
      {
        severity: 'warning',
        when: 'a 400 that names no cause: most likely the authentication refusal, but not certain',
      },
    ],
    title: 'Entra-only resource rejected telemetry sent to /v2/track',
    symptom:
      'POST /v2/track is refused (400 "Authentication not supported", or 401/403) and no telemetry arrives.',
    why: 'The resource has local authentication disabled, so it accepts only Entra ID tokens, and only on /v2.1/track. This request went to the old /v2/track API without a token: it comes from an SDK without a credential (the classic .NET SDK posts to /v2/track until it is given one, and so did the first OpenCensus Python versions that took one), an SDK too old for Entra ID, or a browser snippet.',
    detection:
      'A /v2/track request without a bearer token, answered 401 or 403, or 400 that is not explained by an invalid instrumentation key or per-item schema errors (the answer differs between senders: 400 "Authentication not supported" per the troubleshooting article, 401 for the classic .NET SDK). A 400 that names no cause is only likely.',
    fix: [
      'Configure the SDK with an Entra ID credential: SDKs that have one post to /v2.1/track with a bearer token.',
      'Upgrade SDKs too old to support Entra ID.',
      'Browser (JavaScript) telemetry cannot authenticate: send it to a resource that keeps local authentication.',
    ],
    fixByRuntime: ENABLE_ENTRA,
    learnMore: [LINKS.troubleshootEntra, LINKS.entraAuth],
    statuses: [400, 401, 403],
    answeredBy: 'track-v2',
  },
  {
    id: 'TOKEN_SENT_TO_V2_PATH',
    severity: 'error',
    stage: 'api-path',
    severityCases: [
      {
        severity: 'warning',
        when: 'the service did not refuse the request for authentication (local authentication is still on)',
      },
    ],
    title: 'Bearer token sent to /v2/track, the API that cannot use it',
    symptom:
      'The SDK sends an Entra ID token, but to /v2/track. An Entra-only resource refuses the batch (400 "Authentication not supported", or 401 for some senders); a resource that still accepts local authentication stores it without using the token.',
    why: 'Only /v2.1/track accepts Entra ID tokens. This sender has a credential and a token, so nothing is missing from its credential configuration: it posts to the wrong API. That happens with SDK or agent versions from before Entra ID support, and with hand-written exporters, gateways or forwarders that build the URL themselves.',
    detection:
      'A /v2/track request carrying a bearer JWT. An error when the answer is an authentication refusal (400 with an authentication reason or without per-item errors, 401, 403); a warning otherwise.',
    fix: [
      'Keep the credential: it is not the problem. Make the sender post to /v2.1/track instead.',
      'For an SDK or agent: upgrade it to a current version, which posts to /v2.1/track whenever a credential is configured.',
      'For a hand-written exporter, a gateway or a forwarder: change the path from /v2/track to /v2.1/track and forward the Authorization header unchanged.',
    ],
    learnMore: [LINKS.troubleshootEntra, LINKS.entraAuth],
    statuses: [400, 401, 403],
    answeredBy: 'track-v2',
  },
  {
    id: 'V2_PATH_CANNOT_CARRY_ENTRA',
    severity: 'warning',
    stage: 'readiness',
    title: 'Telemetry sent to /v2/track, which cannot use Entra ID',
    symptom:
      'The SDK posts to /v2/track. It works while the resource accepts instrumentation keys, and stops the day local authentication is disabled.',
    why: 'Only /v2.1/track accepts Entra ID tokens. Every current SDK uses /v2.1 (with or without a token); /v2 comes from the classic .NET SDK without a credential, older SDKs and the browser snippet.',
    detection: 'The request path is /v2/track and it carries no bearer token (whatever the answer).',
    fix: [
      'Configure an Entra ID credential in the SDK (which moves it to /v2.1/track), or upgrade it.',
      'Before disabling local authentication on the resource, make sure no sender still uses /v2/track.',
    ],
    fixByRuntime: ENABLE_ENTRA,
    learnMore: [LINKS.troubleshootEntra, LINKS.entraAuth],
  },
  {
    id: 'IKEY_MISMATCH',
    severity: 'warning',
    stage: 'resource',
    title: "Telemetry for an instrumentation key other than the connection string's",
    symptom:
      'Telemetry is accepted but shows up in another Application Insights resource, or is refused for a token that is valid for a different resource.',
    why: 'The envelopes name an instrumentation key that is not the one of the connection string(s) given to the proxy: the app reads another connection string (an environment variable, a config file, a default) than the one you expect.',
    detection:
      'The masked iKeys in the envelopes (or the ikey of a live metrics request) differ from the masked keys of every connection string given with --connection-string; statsbeat keys are ignored.',
    fix: [
      'Find where the app gets its connection string (APPLICATIONINSIGHTS_CONNECTION_STRING, applicationinsights.json, appsettings, code) and make it the intended one.',
      'If several resources are intended, pass every connection string to the proxy.',
    ],
    learnMore: [LINKS.connectionStrings],
  },
  {
    id: 'INVALID_INSTRUMENTATION_KEY',
    severity: 'error',
    stage: 'resource',
    title: 'Ingestion does not know this instrumentation key',
    symptom: 'Track requests are answered 400 with "Invalid instrumentation key"; nothing is stored.',
    why: 'The key in the envelopes names no Application Insights resource the endpoint serves: it is mistyped, the resource was deleted, or the key is sent to the endpoint of another region or cloud.',
    detection: 'The answer (per-item error, body or reason phrase) says "Invalid instrumentation key".',
    fix: [
      "Copy the full connection string from the resource's Overview page in the portal, not only the instrumentation key.",
      'Check that the resource still exists and that IngestionEndpoint belongs to its region and cloud.',
    ],
    learnMore: [LINKS.connectionStrings, LINKS.missingTelemetry],
    statuses: [400],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'PARTIAL_ACCEPTANCE',
    severity: 'warning',
    stage: 'delivery',
    severityCases: [{ severity: 'info', when: 'every dropped item was sampled out by ingestion sampling' }],
    title: 'Ingestion accepted only part of the batch',
    symptom:
      'The answer is 206 (or itemsAccepted is below itemsReceived): some telemetry items were dropped.',
    why: 'Ingestion judges each item on its own. Items can be sampled out by ingestion sampling (expected, not an error), refused for schema errors (a missing required field, a timestamp older than 48 hours) or throttled; SDKs retry only the retriable ones.',
    detection:
      'Status 206, or itemsAccepted < itemsReceived in the answer; the per-item errors are counted by kind.',
    fix: [
      'If every dropped item says "Telemetry sampled out.", ingestion sampling is on for the resource: change its percentage if you need all items.',
      'For schema errors, the message names the field: fix the code that builds that telemetry (custom telemetry initializers, manual track calls), or upgrade the SDK.',
      'Items with old timestamps usually come from an offline store being drained late: they cannot be ingested.',
    ],
    learnMore: [LINKS.sampling, LINKS.missingTelemetry],
    statuses: [206],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'THROTTLED',
    severity: 'warning',
    stage: 'delivery',
    title: 'Ingestion throttled the request',
    symptom: 'Track requests are answered 429 (too many requests), 439 or 402 (daily quota).',
    why: "429 means the resource's ingestion rate limit was exceeded for now. 402 and 439 mean the daily cap of the resource (or its workspace) was reached: data is refused until the cap resets.",
    detection: 'Status 429, 439 or 402; Retry-After is shown when sent.',
    fix: [
      'For 429: reduce volume (sampling, fewer custom events); the SDK retries after Retry-After.',
      'For 402/439: raise or remove the daily cap of the resource or its Log Analytics workspace, or reduce volume.',
    ],
    learnMore: [LINKS.dailyCap, LINKS.serviceLimits, LINKS.sampling],
    statuses: [402, 429, 439],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'INGESTION_REDIRECT',
    severity: 'info',
    stage: 'delivery',
    severityCases: [
      { severity: 'warning', when: 'newer Java and JavaScript SDKs refuse to follow the Location' },
    ],
    title: 'Ingestion redirected the SDK',
    symptom: 'A track request is answered 307 or 308 with a Location.',
    why: "Ingestion redirects clients that use a global endpoint to their resource's regional one. Newer Java and JavaScript SDKs follow only https redirects to Azure Monitor domains on the default port; anything else is refused and the telemetry is lost.",
    detection: 'Status 307/308; the Location is checked for https, default port and an Azure Monitor domain.',
    fix: [
      'Use the full connection string from the portal: its regional IngestionEndpoint avoids the redirect.',
      'If a test double answers the redirect, point Location at an https Azure Monitor host name.',
    ],
    learnMore: [LINKS.connectionStrings, LINKS.networkAccess],
    statuses: [307, 308],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'INGESTION_SERVER_ERROR',
    severity: 'warning',
    stage: 'delivery',
    title: 'Ingestion answered with a transient server error',
    symptom: 'Track or live metrics requests are answered 408, 500, 502, 503 or 504.',
    why: 'The service (or a gateway on the way) failed to handle the request. SDKs keep the batch and retry; telemetry arrives late unless the errors persist.',
    detection:
      'Status 408, 500, 502, 503 or 504 from the upstream (not from the proxy); other 5xx are not retried by the SDKs and get no finding.',
    fix: [
      "If it persists, check Azure status for Azure Monitor in the resource's region.",
      'If a firewall or corporate proxy sits between the app and Azure, check that it allows the ingestion endpoints.',
    ],
    learnMore: [LINKS.networkAccess, LINKS.missingTelemetry],
    statuses: [408, 500, 502, 503, 504],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'LIVE_METRICS_UNAUTHORIZED',
    severity: 'error',
    stage: 'resource',
    title: 'Live metrics refused the SDK',
    symptom:
      'Live metrics ping or post is answered 401 or 403; the Live metrics pane stays empty while other telemetry may still arrive.',
    why: 'Live metrics enforces the same authentication as ingestion: on an Entra-only resource it needs a token for Azure Monitor from an identity with Monitoring Metrics Publisher. Some SDKs send live metrics without the credential they use for telemetry, or are too old to authenticate it.',
    detection: 'A QuickPulseService.svc ping or post answered 401 or 403.',
    fix: [
      'Configure the credential on the SDK itself (not on one exporter only), so live metrics uses it too.',
      'Assign Monitoring Metrics Publisher to the identity on the resource.',
      'Upgrade the SDK if it does not support Entra ID for live metrics.',
    ],
    fixByRuntime: ENABLE_ENTRA,
    learnMore: [LINKS.liveMetrics, LINKS.entraAuth],
    statuses: [401, 403],
    answeredBy: 'live-metrics',
  },
  {
    id: 'SDK_SELF_TELEMETRY',
    severity: 'info',
    stage: 'informational',
    title: 'SDK self-telemetry (statsbeat)',
    symptom:
      'Track requests to a Microsoft-owned instrumentation key, without a token even when the app uses Entra ID.',
    why: "SDKs report their own health (statsbeat) to Microsoft resources. It never carries the app's credential and is not the app's telemetry, so it is not flagged for a missing token.",
    detection: 'Every envelope names a statsbeat instrumentation key or is named *Statsbeat.',
    fix: [
      "Nothing to fix. To turn it off, use the SDK's statsbeat switch (e.g. APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL for Python, APPLICATION_INSIGHTS_NO_STATSBEAT for Node).",
    ],
    learnMore: [LINKS.statsbeat],
  },
];
