/**
 * Which names (query and form parameters, JSON keys, headers) hold a secret or an instrumentation
 * key. One list for every place a name can appear, compared case-insensitively and without the
 * separators people vary (`api-key`, `api_key`, `apiKey`, `API.KEY` are one name).
 */

/** `Client_Secret`, `client-secret`, `clientSecret` → `clientsecret`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Exact names (normalized) whose value is a credential. */
const SECRET_EXACT = new Set([
  'assertion',
  'authorization',
  'proxyauthorization',
  'code',
  'devicecode',
  'usercode',
  'sig',
  'signature',
  'sharedaccesssignature',
  'cookie',
  'setcookie',
  'xidentityheader',
  'xmsqpsauthapikey',
  'pwd',
  'pass',
]);

/** Parts of a name (normalized) that make its value a credential wherever they appear. */
const SECRET_PARTS = [
  'secret',
  'password',
  'passwd',
  'apikey',
  'accesskey',
  'accountkey',
  'sharedaccesskey',
  'subscriptionkey',
  'functionskey',
  'privatekey',
  'clientassertion',
  'sastoken',
];

/** Names that end in `token` but hold no credential. */
const NOT_SECRET = new Set(['tokentype', 'hastoken', 'notoken']);

/**
 * Names repeat endlessly in telemetry (`ver`, `name`, `time`…) and every string of every output
 * line asks about its name: each verdict is remembered (bounded: the memory starts over when full).
 */
function remembered(decide: (name: string) => boolean): (name: string) => boolean {
  const verdicts = new Map<string, boolean>();
  return (name) => {
    const known = verdicts.get(name);
    if (known !== undefined) return known;
    const verdict = decide(name);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
    verdicts.set(name, verdict);
    return verdict;
  };
}
const MAX_REMEMBERED = 4096;

/** True when a value under this name (parameter, JSON key or header) must never be shown. */
export const isSecretName = remembered((name) => {
  const n = normalizeName(name);
  if (NOT_SECRET.has(n)) return false;
  if (SECRET_EXACT.has(n)) return true;
  if (n.endsWith('token') || n === 'tokens') return true;
  // A header captured as a telemetry attribute: `http.request.header.cookie`, `…header.authorization`.
  if (n.endsWith('cookie') || n.endsWith('authorization')) return true;
  return SECRET_PARTS.some((part) => n.includes(part));
});

/** True for `iKey`, `iKeys`, `InstrumentationKey`, `cikey`, `instrumentation_key`, `APPINSIGHTS_INSTRUMENTATIONKEY`…: shown masked, not removed. */
export const isIkeyName = remembered((name) => {
  const n = normalizeName(name);
  // Also prefixed: APPINSIGHTS_INSTRUMENTATIONKEY, ApplicationInsights__InstrumentationKey (.NET).
  return /^(?:c?ikeys?|[a-z0-9:]*instrumentationkeys?)$/.test(n);
});

/** A parameter name as written on the wire, percent-encoding undone (twice, for nested URLs). */
export function decodeParamName(raw: string): string {
  let name = raw;
  for (let i = 0; i < 2 && name.includes('%'); i++) {
    try {
      name = decodeURIComponent(name);
    } catch {
      break;
    }
  }
  return name;
}
