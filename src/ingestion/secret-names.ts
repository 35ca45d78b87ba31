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

/** Names repeat endlessly in telemetry (`ver`, `name`, `time`…): their verdicts are remembered. */
const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 4096;

/** True when a value under this name (parameter, JSON key or header) must never be shown. */
export function isSecretName(name: string): boolean {
  const known = verdicts.get(name);
  if (known !== undefined) return known;
  const verdict = classify(name);
  if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
  verdicts.set(name, verdict);
  return verdict;
}

function classify(name: string): boolean {
  const n = normalizeName(name);
  if (NOT_SECRET.has(n)) return false;
  if (SECRET_EXACT.has(n)) return true;
  if (n.endsWith('token') || n === 'tokens') return true;
  return SECRET_PARTS.some((part) => n.includes(part));
}

/** True for `iKey`, `InstrumentationKey`, `cikey`, `instrumentation_key`…: shown masked, not removed. */
/** Every string of every output line asks this of its name: remembered like isSecretName. */
const ikeyVerdicts = new Map<string, boolean>();

export function isIkeyName(name: string): boolean {
  const known = ikeyVerdicts.get(name);
  if (known !== undefined) return known;
  const n = normalizeName(name);
  const verdict = n === 'ikey' || n === 'cikey' || n === 'instrumentationkey';
  if (ikeyVerdicts.size >= MAX_REMEMBERED) ikeyVerdicts.clear();
  ikeyVerdicts.set(name, verdict);
  return verdict;
}

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
