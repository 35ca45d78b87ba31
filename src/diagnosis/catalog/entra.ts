import { LINKS } from './links';
import type { CatalogEntry } from './types';

const JAVA_CLIENT_SECRET_BLOCK =
  'Java agent: the `authentication` block of applicationinsights.json with `"type": "CLIENTSECRET"` holds `tenantId`, `clientId` and `clientSecret`; check each against the app registration.';

/** Token acquisition: the Entra ID token endpoint and managed identity endpoints. */
export const ENTRA_ENTRIES: CatalogEntry[] = [
  {
    id: 'ENTRA_APP_NOT_FOUND',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'Entra ID does not know the client id in this tenant (AADSTS700016)',
    symptom: 'The token request fails with AADSTS700016; the SDK sends no telemetry at all.',
    why: 'The client id names no application in the tenant the request went to: it is mistyped, the app registration lives in another tenant, or the tenant id points elsewhere. For a user-assigned managed identity, the client id may be the one of another identity.',
    detection: 'The token endpoint answered an error with AADSTS code 700016.',
    fix: [
      "Compare the client_id and tenant in the evidence with the app registration's Application (client) ID and Directory (tenant) ID.",
      'If the app is multi-tenant, make sure it has been consented to in the tenant you request the token from.',
    ],
    fixByRuntime: {
      java: [JAVA_CLIENT_SECRET_BLOCK],
      node: [
        'Check the tenantId and clientId given to `ClientSecretCredential` (or AZURE_TENANT_ID / AZURE_CLIENT_ID for `DefaultAzureCredential`).',
      ],
      python: [
        'Check `tenant_id` and `client_id` of `ClientSecretCredential` (or AZURE_TENANT_ID / AZURE_CLIENT_ID).',
      ],
      dotnet: [
        'Check the tenant id and client id of `ClientSecretCredential` (or AZURE_TENANT_ID / AZURE_CLIENT_ID).',
      ],
    },
    learnMore: [LINKS.entraErrorCodes, LINKS.troubleshootEntra],
    statuses: [400],
    answeredBy: 'entra',
    aadsts: ['700016'],
  },
  {
    id: 'ENTRA_INVALID_CLIENT_SECRET',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'Entra ID refused the client secret (AADSTS7000215)',
    symptom: 'The token request fails with AADSTS7000215; no telemetry is sent.',
    why: "The secret does not match any secret of the app registration. A common slip is to copy the secret's ID instead of its value, which is shown only once when the secret is created.",
    detection: 'The token endpoint answered an error with AADSTS code 7000215.',
    fix: [
      'Create a new client secret on the app registration and copy its Value (not the Secret ID) into the configuration.',
      'Prefer a managed identity or a certificate credential where you can: there is no secret to leak or mistype.',
    ],
    fixByRuntime: { java: [JAVA_CLIENT_SECRET_BLOCK] },
    learnMore: [LINKS.appCredentials, LINKS.entraErrorCodes],
    statuses: [401],
    answeredBy: 'entra',
    aadsts: ['7000215'],
  },
  {
    id: 'ENTRA_CLIENT_SECRET_EXPIRED',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'The client secret has expired (AADSTS7000222)',
    symptom: 'Token requests that used to work now fail with AADSTS7000222; telemetry stops.',
    why: 'Client secrets have an end date. Once it passes, Entra ID refuses the secret even though it is otherwise correct.',
    detection: 'The token endpoint answered an error with AADSTS code 7000222.',
    fix: [
      "Create a new client secret on the app registration, update the app's configuration and restart it.",
      'Track secret expiry dates, or move to a managed identity or a certificate credential.',
    ],
    fixByRuntime: { java: [JAVA_CLIENT_SECRET_BLOCK] },
    learnMore: [LINKS.appCredentials, LINKS.entraErrorCodes],
    statuses: [401],
    answeredBy: 'entra',
    aadsts: ['7000222'],
  },
  {
    id: 'ENTRA_TENANT_NOT_FOUND',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'Entra ID does not know the tenant (AADSTS90002)',
    symptom: 'Token acquisition fails with AADSTS90002, often already on the OpenID configuration request.',
    why: 'The tenant id or domain in the authority is wrong, or it belongs to another cloud than the login host the SDK uses (a US Government or China tenant against the public login host, or the reverse).',
    detection:
      'The token, instance discovery or OpenID configuration endpoint answered an error with AADSTS code 90002.',
    fix: [
      'Use the Directory (tenant) ID shown on the app registration or the Entra ID overview page.',
      "For sovereign clouds, set the authority host of the credential to that cloud's login endpoint.",
    ],
    learnMore: [LINKS.entraErrorCodes, LINKS.clientCredentials],
    statuses: [400],
    answeredBy: 'entra',
    aadsts: ['90002'],
  },
  {
    id: 'ENTRA_INVALID_SCOPE',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'Token requested for a scope or resource Entra ID will not issue (AADSTS1002012 / AADSTS500011)',
    symptom:
      'The token request fails with AADSTS1002012 (scope without /.default) or AADSTS500011 (resource not found in the tenant).',
    why: "Client credential requests must ask for `<resource>/.default`, and the resource must exist in the tenant's cloud. A custom scope, an AADAudience that is not an Azure Monitor audience, or a public-cloud audience in a sovereign tenant gives these errors.",
    detection:
      'The token endpoint answered an error with AADSTS code 1002012 or 500011; the requested scope is in the evidence.',
    fix: [
      'Let the SDK choose the scope; do not set one by hand.',
      'If the connection string has AADAudience, keep the value the portal gave (https://monitor.azure.com/, https://monitor.azure.us/ or https://monitor.azure.cn/).',
    ],
    learnMore: [LINKS.entraErrorCodes, LINKS.clientCredentials, LINKS.entraAuth],
    statuses: [400],
    answeredBy: 'entra',
    aadsts: ['1002012', '500011'],
  },
  {
    id: 'ENTRA_TOKEN_ERROR',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'Entra ID refused the token request',
    symptom:
      'A token, instance discovery or OpenID configuration request failed; without a token the SDK sends no telemetry (or is refused with 401).',
    why: 'Entra ID returned an error this tool has no specific entry for. Its AADSTS code and description say what is wrong; the trace and correlation ids let an administrator find the sign-in attempt.',
    detection: 'An error answer (4xx/5xx) from an Entra ID endpoint, with the code and description as sent.',
    fix: [
      'Look the AADSTS code up in the Entra ID error code reference.',
      'Check the sign-in logs of the tenant (service principal sign-ins) with the correlation id in the evidence.',
    ],
    learnMore: [LINKS.entraErrorCodes, LINKS.troubleshootEntra],
    statuses: [400, 401, 403],
    answeredBy: 'entra',
  },
  {
    id: 'MANAGED_IDENTITY_NOT_FOUND',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'No managed identity matches the request',
    symptom:
      'The managed identity endpoint (IMDS or App Service) answers 400 "Identity not found" (or "No User Assigned ... Managed Identity found"); no telemetry is sent.',
    why: 'The host has no managed identity enabled, or the user-assigned identity named by its client id is not attached to this VM, scale set, pod or app.',
    detection:
      'A 400 (or 404) from /metadata/identity/oauth2/token or an App Service /msi/token endpoint whose message says the identity was not found.',
    fix: [
      'Enable the system-assigned identity on the host, or attach the user-assigned identity to it.',
      "Check the client id in the SDK configuration against the identity's Client ID (not its Object ID or resource id).",
    ],
    fixByRuntime: {
      java: [
        'Java agent: in the `authentication` block use `"type": "SAMI"` for the system-assigned identity, or `"type": "UAMI"` with the client id of an identity attached to this host. The agent logs this as `ManagedIdentityCredential authentication unavailable. Connection to IMDS endpoint cannot be established`, which is misleading: IMDS answered.',
      ],
      dotnet: ['Check the client id passed to `ManagedIdentityCredential` (or AZURE_CLIENT_ID).'],
      node: ['Check the clientId passed to `ManagedIdentityCredential` (or AZURE_CLIENT_ID).'],
      python: ['Check the client_id passed to `ManagedIdentityCredential` (or AZURE_CLIENT_ID).'],
    },
    learnMore: [LINKS.managedIdentityVm, LINKS.managedIdentityAppService, LINKS.troubleshootEntra],
    statuses: [400],
    answeredBy: 'managed-identity',
  },
  {
    id: 'MANAGED_IDENTITY_ERROR',
    severity: 'error',
    stage: 'token-acquisition',
    title: 'The managed identity endpoint returned an error',
    symptom: 'A managed identity token request failed; without a token the SDK sends nothing or is refused.',
    why: 'IMDS or the App Service identity endpoint refused or could not serve the request: too many requests (429), an upgrade in progress (410), a bad resource parameter, or a platform error. SDKs retry some of these.',
    detection: 'An error answer (4xx/5xx) from a managed identity endpoint that is not "identity not found".',
    fix: [
      'Read the message in the evidence; for 429/410/5xx, the credential retries: persistent failures point at the platform.',
      'Check that the resource parameter is the Azure Monitor audience (https://monitor.azure.com/ in the public cloud).',
    ],
    learnMore: [LINKS.managedIdentityVm, LINKS.managedIdentityAppService],
    statuses: [400, 404, 410, 429, 500, 503],
    answeredBy: 'managed-identity',
  },
];
