import type { FakeRequest, FakeResponse } from './exchange-types';
import { jsonResponse } from './responses';
import { parseScenario, type Scenario } from './scenarios';
import type { IngestionSettings } from './settings';

/** What the control endpoints may touch. */
export interface ControlTarget {
  scenario(): Scenario;
  setScenario(scenario: Scenario): void;
  received(): readonly unknown[];
  clearReceived(): void;
  settings(): IngestionSettings;
  updateSettings(patch: Partial<IngestionSettings>): void;
}

export const CONTROL_PREFIX = '/_fake/';

export function isControlPath(path: string): boolean {
  return path.toLowerCase().startsWith(CONTROL_PREFIX);
}

function bodyJson(req: FakeRequest): Record<string, unknown> {
  const text = req.body.toString('utf8').trim();
  if (!text) return {};
  const value: unknown = JSON.parse(text);
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new Error('the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Keeps only fields that exist in the settings, with the same type. */
function settingsPatch(
  current: IngestionSettings,
  input: Record<string, unknown>,
): Partial<IngestionSettings> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const existing = (current as unknown as Record<string, unknown>)[key];
    if (existing === undefined) throw new Error(`unknown setting ${key}`);
    const sameType = Array.isArray(existing) ? Array.isArray(value) : typeof existing === typeof value;
    if (!sameType)
      throw new Error(
        `setting ${key} must be of type ${Array.isArray(existing) ? 'array' : typeof existing}`,
      );
    patch[key] = value;
  }
  if (patch.auth !== undefined && patch.auth !== 'local' && patch.auth !== 'entra-only') {
    throw new Error('auth must be local or entra-only');
  }
  return patch as Partial<IngestionSettings>;
}

/**
 * `/_fake/…` on any host: lets a demo or a test switch behaviour without a restart.
 * GET|POST /_fake/scenario, GET|DELETE /_fake/received, GET|POST /_fake/settings, POST /_fake/reset, GET /_fake/health.
 */
export function handleControl(req: FakeRequest, target: ControlTarget): FakeResponse {
  const what = req.path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '').toLowerCase();
  const ok = (body: unknown, verdict: string) => jsonResponse('control', 200, body, verdict);
  try {
    if (what === 'health') return ok({ ok: true }, 'health');
    if (what === 'scenario' && req.method === 'GET')
      return ok({ scenario: target.scenario() }, 'scenario read');
    if (what === 'scenario' && (req.method === 'POST' || req.method === 'PUT')) {
      const fromQuery = req.query.get('name');
      const scenario = parseScenario(
        fromQuery
          ? { ...Object.fromEntries(req.query), name: fromQuery, ...numbers(req.query) }
          : bodyJson(req),
      );
      target.setScenario(scenario);
      return ok({ scenario }, `scenario set to ${scenario.name}`);
    }
    if (what === 'received' && req.method === 'GET')
      return ok({ received: target.received() }, 'received read');
    if (what === 'received' && req.method === 'DELETE') {
      target.clearReceived();
      return ok({ received: [] }, 'received cleared');
    }
    if (what === 'settings' && req.method === 'GET')
      return ok({ settings: target.settings() }, 'settings read');
    if (what === 'settings' && (req.method === 'POST' || req.method === 'PUT')) {
      target.updateSettings(settingsPatch(target.settings(), bodyJson(req)));
      return ok({ settings: target.settings() }, 'settings updated');
    }
    if (what === 'reset' && req.method === 'POST') {
      target.setScenario({ name: 'ok' });
      target.clearReceived();
      return ok({ scenario: target.scenario() }, 'reset');
    }
  } catch (err) {
    return jsonResponse(
      'control',
      400,
      { error: (err as Error).message },
      `bad control request: ${(err as Error).message}`,
    );
  }
  return jsonResponse(
    'control',
    404,
    { error: `no control endpoint ${req.method} ${req.path}` },
    'unknown control path',
  );
}

/** Query values are strings; the numeric scenario fields are turned back into numbers. */
function numbers(query: URLSearchParams): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ['retryAfterSeconds', 'delayMs', 'times']) {
    const v = query.get(key);
    if (v !== null) out[key] = Number(v);
  }
  return out;
}
