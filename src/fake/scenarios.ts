import { DEFAULT_REDIRECT_LOCATION } from './defaults';

/** Behaviours the fake ingestion service can play on `/track`, switchable at run time. */
export const SCENARIO_NAMES = [
  'ok',
  'sample',
  'throttle',
  'quota',
  'redirect',
  'slow',
  'error500',
  'error503',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  name: ScenarioName;
  /** throttle / error503: the Retry-After header in seconds (default 10 for throttle, none for 503). */
  retryAfterSeconds?: number;
  /** slow: delay before the normal answer, in milliseconds (default 5000). */
  delayMs?: number;
  /** redirect: full https URL for `Location` (default on an Azure-looking host, as new SDKs require). */
  location?: string;
  /** Play the scenario for this many track requests, then return to `ok`. Unlimited when absent. */
  times?: number;
}

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === 'string' && (SCENARIO_NAMES as readonly string[]).includes(value);
}

/** Validates a scenario coming from a flag, code or the control endpoint. */
export function parseScenario(input: unknown): Scenario {
  const raw: Record<string, unknown> =
    typeof input === 'string' ? { name: input } : input && typeof input === 'object' ? { ...input } : {};
  if (!isScenarioName(raw.name)) {
    throw new Error(
      `unknown scenario ${JSON.stringify(raw.name)}; expected one of ${SCENARIO_NAMES.join(', ')}`,
    );
  }
  const scenario: Scenario = { name: raw.name };
  for (const key of ['retryAfterSeconds', 'delayMs', 'times'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`${key} must be a number >= 0`);
    scenario[key] = v;
  }
  if (scenario.times !== undefined && (!Number.isInteger(scenario.times) || scenario.times < 1)) {
    throw new Error('times must be an integer >= 1');
  }
  if (raw.location !== undefined) {
    if (typeof raw.location !== 'string' || !/^https:\/\/[^/]+/.test(raw.location)) {
      throw new Error('location must be a full https:// URL (SDKs refuse anything else)');
    }
    scenario.location = raw.location;
  }
  return scenario;
}

export function redirectLocationOf(scenario: Scenario): string {
  return scenario.location ?? DEFAULT_REDIRECT_LOCATION;
}

/** The scenario in force, with the `times` countdown. */
export class ScenarioState {
  private current: Scenario = { name: 'ok' };
  private remaining: number | undefined;

  get scenario(): Scenario {
    return this.current;
  }

  set(scenario: Scenario): void {
    this.current = scenario;
    this.remaining = scenario.times;
  }

  /** The scenario for one track request; counts it against `times`. */
  take(): Scenario {
    const scenario = this.current;
    if (this.remaining !== undefined && scenario.name !== 'ok') {
      this.remaining -= 1;
      if (this.remaining <= 0) this.set({ name: 'ok' });
    }
    return scenario;
  }
}
