/**
 * What a demo or end-to-end step is: how to set the fake, and what the "app" does. Plain data, so
 * a step list can be written as JSON (the e2e tests do) and sent to the SDK app process over IPC.
 */
import type { Scenario, ScenarioName } from '../fake/scenarios';
import type { IngestionSettings } from '../fake/settings';
import type { TokenClaims } from '../fake/token-minting';

/** How the app gets its token. */
export type CredentialSpec =
  /** No credential at all: no Authorization header. */
  | { type: 'none' }
  /**
   * A token minted by the fake Entra with these claims, handed to the SDK by a tiny TokenCredential
   * (as an app with a stale or wrongly scoped cached token would). `expiresInSeconds` sets `exp`
   * relative to now (negative: already expired) and `nbf` accordingly.
   */
  | {
      type: 'minted';
      claims?: TokenClaims;
      expiresInSeconds?: number;
      notBeforeInSeconds?: number;
      /** Mint once and hand the same token to every step that names this key (a stale cache). */
      reuse?: string;
    }
  /** A fixed token string (resolved form of `minted`). */
  | { type: 'token'; token: string }
  /** @azure/identity ClientSecretCredential against the fake Entra (defaults: the fake's known app). */
  | { type: 'client-secret'; tenantId?: string; clientId?: string; secret?: string };

export type AppAction =
  /** @azure/monitor-opentelemetry-exporter: one SERVER span, forceFlush, shutdown. */
  | { kind: 'exporter'; credential: CredentialSpec }
  /** @azure/identity ClientSecretCredential.getToken for https://monitor.azure.com/.default. */
  | { kind: 'identity-token'; tenantId?: string; clientId: string; secret: string }
  /**
   * A raw HTTPS POST of one gzip JSON envelope through the proxy (https-proxy-agent), for what no
   * installed SDK sends any more: e.g. `/v2/track`, which old SDKs and agents used.
   */
  | { kind: 'raw-track'; path: string; credential: CredentialSpec }
  /** The legacy `applicationinsights` 2.x TelemetryClient: trackEvent + flush (NDJSON, gzip, absolute-form). */
  | { kind: 'legacy'; credential: CredentialSpec }
  /**
   * Any program, run by the orchestrator (not the SDK app). Placeholders in argv and env values:
   * {proxyHost} {proxyPort} {proxyUrl} {proxyCa} {fakeCa} {work} {ingestionUrl} {ikey} {token} (a valid token minted
   * by the fake Entra for its authorized app).
   */
  | { kind: 'command'; argv: string[]; env?: Record<string, string>; timeoutMs?: number };

export interface Step {
  /** Short stable id (tests look results up by it). */
  id: string;
  /** What a person reads: "No token". */
  title: string;
  /** One sentence on what the app does and how the resource is set up. */
  explain?: string;
  /** The fake's behaviour for this step only (reset to `ok` and the stack's settings after). */
  fake?: { scenario?: Scenario | ScenarioName; settings?: Partial<IngestionSettings> };
  action: AppAction;
  /** Milliseconds the action may take (default 20000). */
  timeoutMs?: number;
}

/** What the app (or command) reported back. */
export interface ActionOutcome {
  ok: boolean;
  /** The SDK's error message, as the app would see it (secrets are not in SDK messages). */
  error?: string;
  /** Extra facts: HTTP status of a raw request, stdout of a command, ... */
  detail?: Record<string, unknown>;
}

export interface StepResult {
  id: string;
  title: string;
  outcome: ActionOutcome;
  durationMs: number;
  /** The proxy's log lines written during the step (parsed JSON). */
  lines: Record<string, any>[];
  /** Distinct finding ids of those lines, in order of appearance. */
  findingIds: string[];
}

/** Messages between the orchestrator and the SDK app process. */
export interface AppRequest {
  id: number;
  action: AppAction | { kind: 'exit' };
  connectionString: string;
  /** A fresh directory for the SDK's offline storage (failures are persisted and retried). */
  storageDirectory: string;
}

export interface AppReply {
  id: number;
  outcome: ActionOutcome;
}
