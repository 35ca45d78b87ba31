import {
  DEFAULT_APP_ID,
  DEFAULT_AUDIENCES,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_PUBLISHERS,
  MESSAGE_401,
  MESSAGE_403,
  REASON_401,
  REASON_403,
  REASON_V2_ENTRA_ONLY,
  STATSBEAT_IKEYS,
} from './defaults';
import { normalizeIkey, type EnvelopeRules } from './envelope-validation';
import type { TokenSigningKey } from './token-minting';
import type { TokenRules } from './token-check';

/** `local`: tokens optional (DisableLocalAuth=false); `entra-only`: DisableLocalAuth=true. */
export type AuthMode = 'local' | 'entra-only';

/** How the fake Application Insights resource behaves; every field can change at run time. */
export interface IngestionSettings {
  auth: AuthMode;
  /** Instrumentation keys of the resource. Empty: any well-formed key is accepted. */
  ikeys: string[];
  /** Object ids or app ids holding Monitoring Metrics Publisher on the resource. */
  publishers: string[];
  /** Accepted token audiences (with or without a trailing slash). */
  audiences: string[];
  reason401: string;
  reason403: string;
  /** Status and reason for `/v2/track` on an Entra-only resource (sources disagree: 400 per the doc). */
  v2Status: number;
  v2Reason: string;
  message401: string;
  message403: string;
  clockSkewSeconds: number;
  /** 'any' (default): signatures are not checked, so unsigned test tokens work; 'ours': RS256 by the fake Entra only. */
  signatures: 'any' | 'ours';
  /** Answered by the appId lookup. Track responses say `"appId": null`, like the regional endpoints do. */
  appId: string;
  /** Live metrics: the `x-ms-qps-subscribed` answer (true makes SDKs post every second). */
  liveSubscribed: boolean;
}

export function defaultIngestionSettings(): IngestionSettings {
  return {
    auth: 'entra-only',
    ikeys: [],
    publishers: [...DEFAULT_PUBLISHERS],
    audiences: [...DEFAULT_AUDIENCES],
    reason401: REASON_401,
    reason403: REASON_403,
    v2Status: 400,
    v2Reason: REASON_V2_ENTRA_ONLY,
    message401: MESSAGE_401,
    message403: MESSAGE_403,
    clockSkewSeconds: DEFAULT_CLOCK_SKEW_SECONDS,
    signatures: 'any',
    appId: DEFAULT_APP_ID,
    liveSubscribed: false,
  };
}

export const STATSBEAT_IKEY_SET: ReadonlySet<string> = new Set(STATSBEAT_IKEYS.map(normalizeIkey));

export function envelopeRulesOf(settings: IngestionSettings): EnvelopeRules {
  return { knownIkeys: new Set(settings.ikeys.map(normalizeIkey)), alwaysKnownIkeys: STATSBEAT_IKEY_SET };
}

export function tokenRulesOf(settings: IngestionSettings, signingKey?: TokenSigningKey): TokenRules {
  return {
    audiences: settings.audiences,
    publishers: new Set(settings.publishers.map((p) => p.trim().toLowerCase())),
    clockSkewSeconds: settings.clockSkewSeconds,
    signatures: settings.signatures,
    signingKey,
  };
}
