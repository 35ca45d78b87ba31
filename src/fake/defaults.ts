/**
 * Defaults of the fake services. Values marked UNCONFIRMED in ingestion-facts.md are options
 * elsewhere; these are the documented defaults.
 */

/** Statsbeat (SDK self-telemetry) resources: the real service takes them without a token. */
export const STATSBEAT_IKEYS: readonly string[] = [
  'c4a29126-a7cb-47e5-b348-11414998b11e', // non-EU
  '7dc56bab-3c0c-4e9f-9ebb-d1acadee8d0f', // EU
];

/** Audience of the public cloud; trailing-slash variants are accepted too. */
export const DEFAULT_AUDIENCES: readonly string[] = ['https://monitor.azure.com'];

export const REASON_401 = 'Unauthorized - please provide the valid authorization token';
export const REASON_403 =
  'Forbidden - provided credentials do not grant the access to ingest the telemetry into the component';
export const REASON_V2_ENTRA_ONLY = 'Authentication not supported';

/** errors[0].message of a 401: the only one seen in a real log (Java PR #2076). */
export const MESSAGE_401 = 'Authentication required';
/** errors[].message of a 403: UNCONFIRMED in the facts, so an option; this is the reason-phrase text. */
export const MESSAGE_403 =
  'Forbidden - provided credentials do not grant the access to ingest the telemetry into the component';
export const MESSAGE_INVALID_IKEY = 'Invalid instrumentation key';
export const MESSAGE_SAMPLED_OUT = 'Telemetry sampled out.';

/** The fake Entra tenant, app registration and managed identity that succeed out of the box. */
export const DEFAULT_TENANT_ID = '0f4e1c2d-3b5a-4c6d-8e7f-a1b2c3d4e5f6';
export const DEFAULT_APP = {
  clientId: '5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  secret: 'fake-secret-value',
  /** Object id of the app's service principal: the `oid` claim. */
  objectId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
} as const;
export const DEFAULT_MANAGED_IDENTITY = {
  clientId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  objectId: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910',
} as const;

/** Principals holding Monitoring Metrics Publisher by default: the default app and managed identity. */
export const DEFAULT_PUBLISHERS: readonly string[] = [
  DEFAULT_APP.objectId,
  DEFAULT_MANAGED_IDENTITY.objectId,
];

/** The appId the fake reports for every known instrumentation key (GET /api/profiles/{ikey}/appId). */
export const DEFAULT_APP_ID = '3b2f1e0d-9c8b-4a7f-8e6d-5c4b3a291807';

/** Where a `redirect` scenario sends clients: a full https URL on an Azure-looking host. */
export const DEFAULT_REDIRECT_LOCATION = 'https://westus2-1.in.applicationinsights.azure.com/v2.1/track';

/** Tolerance for exp/nbf, as Microsoft's token validation defaults to (5 minutes). */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;

/** Largest request body the fake reads; bigger ones get 413. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;
