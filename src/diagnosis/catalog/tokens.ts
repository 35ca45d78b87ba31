import { LINKS } from './links';
import { ENABLE_ENTRA } from './runtime-steps';
import type { CatalogEntry } from './types';

/** Bearer tokens on ingestion requests: missing, unreadable, stale, for the wrong audience, or refused. */
export const TOKEN_ENTRIES: CatalogEntry[] = [
  {
    id: 'TOKEN_MISSING',
    severity: 'error',
    stage: 'token',
    severityCases: [
      {
        severity: 'warning',
        when: 'with --expect-entra before the service refused anything, or a 400 that names no cause',
      },
    ],
    title: 'Telemetry sent without an Entra ID token',
    symptom:
      'POST /v2.1/track without an Authorization header is refused (401; some senders, such as the Python exporters, are answered 400) and no telemetry arrives.',
    why: 'The resource accepts only Entra ID tokens (local authentication is disabled) and this request carried none. Two causes look the same on the wire: the SDK has no credential (none was configured, or it was set to None or null), or it has one but could not obtain a token, from Entra ID or from the managed identity endpoint, and sent the batch without it. Most SDKs keep the batch and retry it, so the app itself shows nothing.',
    detection:
      'A track request on /v2.1/track with no Authorization header, answered 401 or 403, or 400 when the answer is an authentication refusal (a 400 that names no cause is only likely); or, with --expect-entra, any such request before the service answers.',
    fix: [
      'Check whether the SDK was given a credential at all (a missing credential, or one set to None or null, sends no token); if not, give it one with the connection string: the runtime-specific steps say where.',
      "If it has one, find the exception Azure Identity raised when it tried to get a token in the SDK's own log (CredentialUnavailable, AuthenticationFailed, MSAL errors, an AADSTS code): it names what is wrong with the credential.",
      'Then look for network errors between the app and the token endpoint (login.microsoftonline.com, or the managed identity endpoint at 169.254.169.254 or IDENTITY_ENDPOINT): a token request that is blocked, times out or goes through a proxy that refuses it also leaves the SDK without a token. Token requests that pass through this proxy get findings of their own.',
      'Give the identity the Monitoring Metrics Publisher role on the Application Insights resource, or the next failure is 403.',
      'If the resource should still accept unauthenticated telemetry, re-enable local authentication on it instead (not recommended).',
    ],
    fixByRuntime: ENABLE_ENTRA,
    learnMore: [LINKS.troubleshootEntra, LINKS.entraAuth, LINKS.dotnetEventSourceLogs],
    statuses: [401, 400],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'TOKEN_MALFORMED',
    severity: 'error',
    stage: 'token',
    title: 'Authorization header is not a bearer JWT',
    symptom:
      'The request carries an Authorization header, but the service cannot read a token from it (usually a 401).',
    why: 'Ingestion expects `Authorization: Bearer <JWT>`. A different scheme, an empty value, or a token that is not a three-part base64url JWT (an opaque string, a key, a truncated copy) cannot be validated.',
    detection:
      "The header's scheme is not Bearer, or the credential after it does not decode as a JWT header and payload.",
    fix: [
      'Let the SDK obtain the token through an Azure Identity credential instead of setting the header yourself.',
      'If a gateway or custom HTTP handler rewrites headers, make it forward Authorization unchanged.',
      'If you pass a token by hand (curl tests), request it for the Azure Monitor audience, e.g. `az account get-access-token --resource https://monitor.azure.com`, and send `Authorization: Bearer <access_token>`.',
    ],
    learnMore: [LINKS.entraAuth, LINKS.accessTokens],
    statuses: [401],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'TOKEN_EXPIRED',
    severity: 'error',
    stage: 'token',
    severityCases: [{ severity: 'warning', when: 'expired by less than the 5-minute clock tolerance' }],
    title: 'Bearer token expired (or not yet valid) at request time',
    symptom:
      'Telemetry carries a token whose exp is in the past (or nbf in the future); the service answers 401 or 403.',
    why: 'Azure Identity credentials refresh tokens before they expire, so a stale token usually means it was cached or copied by hand, the process was suspended, or the clock of the machine is wrong.',
    detection:
      "The token's exp claim is before the request time, or its nbf claim after it, by more than the allowed clock skew (5 minutes); within the skew it is a warning.",
    fix: [
      'Do not cache or hard-code tokens: give the SDK a credential object and let it refresh.',
      "Check the clock of the machine that sent it (NTP); the evidence shows the token times next to the proxy's time.",
      'If a token was pasted into a test, request a fresh one.',
    ],
    fixByRuntime: ENABLE_ENTRA,
    learnMore: [LINKS.accessTokens, LINKS.entraAuth],
    statuses: [401, 403],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'TOKEN_WRONG_AUDIENCE',
    severity: 'error',
    stage: 'token',
    severityCases: [
      { severity: 'warning', when: 'the service accepted the batch anyway (local authentication still on)' },
    ],
    title: 'Bearer token issued for another audience',
    symptom:
      "Telemetry carries a token whose aud claim is not the Azure Monitor audience of the endpoint's cloud. An Entra-only resource refuses it (401 or 403); a resource that still accepts local authentication may store the batch anyway, and starts refusing it the day local authentication is disabled.",
    why: "The SDK or credential asked Entra ID for a token for another resource (a custom scope, a management or storage audience, or another cloud's Azure Monitor). Ingestion accepts only tokens for Azure Monitor in its own cloud: https://monitor.azure.com (public), https://monitor.azure.us (US Government), https://monitor.azure.cn (China), or the connection string's AADAudience.",
    detection:
      "The decoded aud claim (with or without a trailing slash) matches none of the audiences expected for the request's host and connection string.",
    fix: [
      'Do not override the scope: the SDKs request the Azure Monitor scope themselves (`https://monitor.azure.com//.default` in the public cloud; the JavaScript exporter asks for `https://monitor.azure.com/.default`, whose token names `https://monitor.azure.com` without the trailing slash: both are accepted).',
      'For sovereign clouds, copy the whole connection string from the portal: its AADAudience tells the SDK which audience to ask for.',
      'Check that the endpoint in the connection string and the cloud of the identity agree (a public-cloud token cannot be used against a US Government endpoint).',
    ],
    learnMore: [LINKS.entraAuth, LINKS.connectionStrings],
    statuses: [401, 403],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'TOKEN_REJECTED',
    severity: 'error',
    stage: 'token',
    title: 'Well-formed token refused with 401',
    symptom: 'A token that decodes, is current and names the right audience is still answered 401.',
    why: "The service could not validate the token: it may come from another tenant than the resource's, be signed by a key the service does not trust (a self-made or test token), or the machine clock is far off.",
    detection:
      'A 401 on /v2.1/track with a bearer JWT that is not expired (beyond the 5-minute clock tolerance) and whose audience matches.',
    fix: [
      "Compare the token's tid (evidence) with the tenant of the Application Insights resource.",
      'Turn on Azure Identity logging in the app to see which credential produced the token.',
      'Check the clock of the sending machine.',
    ],
    fixByRuntime: ENABLE_ENTRA,
    learnMore: [LINKS.troubleshootEntra, LINKS.accessTokens],
    statuses: [401],
    answeredBy: 'track-v2.1',
  },
  {
    id: 'ROLE_MISSING',
    severity: 'error',
    stage: 'role',
    title: 'Identity lacks the Monitoring Metrics Publisher role on this resource',
    symptom: 'Telemetry with a valid token is answered 403.',
    why: 'Entra ID issued a token, but the identity in it (tid/oid/appid) has no Monitoring Metrics Publisher role on this Application Insights resource: the role was never assigned, was assigned on another resource, or belongs to another identity than the one the app uses (e.g. system-assigned vs user-assigned).',
    detection: 'A 403 answer to a track request that carries a current, right-audience bearer token.',
    fix: [
      'On the Application Insights resource, open Access control (IAM) and assign Monitoring Metrics Publisher to the identity whose oid (object id) and appid are in the evidence.',
      'Or with the Azure CLI: `az role assignment create --assignee-object-id <oid> --assignee-principal-type ServicePrincipal --role "Monitoring Metrics Publisher" --scope <resource id of the Application Insights resource>`.',
      'Check that the connection string and the role assignment name the same resource.',
      'Allow a few minutes for the assignment to take effect; assignments through groups can take longer because managed identity tokens are cached.',
    ],
    learnMore: [LINKS.metricsPublisherRole, LINKS.assignRole, LINKS.troubleshootEntra],
    statuses: [403],
    answeredBy: 'track-v2.1',
  },
];
