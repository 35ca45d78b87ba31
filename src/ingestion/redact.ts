/**
 * What is secret in Application Insights and Entra traffic, and how it is masked in text.
 * Every body is masked here when it is recorded, and every output passes through it again
 * (redact-output.ts), so a sink cannot leak what a recorder missed.
 *
 * Text is matched after undoing what hides a name from a plain pattern: JSON `\u00XX` escapes,
 * percent-encoded parameter names (`client%5Fsecret=`, `%73ig=`), any letter case.
 */
import { decodeParamName, isIkeyName, isSecretName, normalizeName } from './secret-names';

export const REDACTED = '[redacted]';

/**
 * Values that sit under secret names but are public defaults, shown so printed settings stay
 * copy-pasteable: `changeit` is every JDK's default truststore password (our startup line's
 * -Djavax.net.ssl.trustStorePassword).
 */
const PUBLIC_DEFAULTS = new Set(['changeit']);

const GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** 11111111-2222-3333-4444-555555555555 → 11111111-****-****-****-********5555. */
export function maskIkey(value: string): string {
  const v = value.trim();
  if (!GUID.test(v)) return v.length <= 8 ? '****' : `${v.slice(0, 4)}****`;
  const hex = v.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-****-****-****-********${hex.slice(28)}`;
}

/** Masks a value only when it is a whole key: an already masked or empty value stays as it is. */
function maskIfIkey(value: string): string {
  return GUID.test(value.trim()) ? maskIkey(value) : value;
}

/**
 * `\u0061ccess_token` is `access_token` to any JSON reader: printable ASCII escapes are undone
 * (except `"` and `\`, which must stay escaped) so the patterns below see the real names.
 */
const ASCII_ESCAPE = /(?<!\\)((?:\\\\)*)\\u00([2-7][0-9a-fA-F])/g;
function unescapeAscii(text: string): string {
  if (!text.includes('\\u00')) return text;
  return text.replace(ASCII_ESCAPE, (m, slashes: string, hex: string) => {
    const code = parseInt(hex, 16);
    if (code === 0x22 || code === 0x5c || code === 0x7f) return m;
    return slashes + String.fromCharCode(code);
  });
}

/**
 * `name=value` anywhere: a query string, a form body, a URL inside JSON, a connection string.
 * The name may be percent-encoded; the value ends at the next separator (also percent-encoded).
 * A URL's fragment holds parameters too: a sign-in redirect answers `…/callback#access_token=…`.
 */
const PARAM =
  // eslint-disable-next-line no-control-regex -- a control byte separates a name in a binary body
  /(^|[?&;#\s"'(,{[\x00-\x1f]|%26|%3F|%3B|%23)((?:[A-Za-z0-9_.-]|%[0-9A-Fa-f]{2}){1,64})([ \t]*(?:=|%3D)[ \t]*)(\[redacted\]|(?:(?!%26|%3B|%23)[^&;\s"'`<>#,)}\]\\])*)/gi;

function redactParams(text: string): string {
  return text.replace(PARAM, (m, sep: string, rawName: string, eq: string, value: string) => {
    const name = decodeParamName(rawName);
    if (isIkeyName(name)) {
      let v = value;
      try {
        v = decodeURIComponent(value);
      } catch {
        /* keep raw */
      }
      return GUID.test(v) ? `${sep}${rawName}${eq}${maskIkey(v)}` : m;
    }
    if (!isSecretName(name) || value === '' || value === REDACTED || PUBLIC_DEFAULTS.has(value)) return m;
    // A numeric `code` is an error code (…/error?code=700016), not an authorization code.
    if (normalizeName(name) === 'code' && /^\d+$/.test(value)) return m;
    return `${sep}${rawName}${eq}${REDACTED}`;
  });
}

/** `"name": "value"` in JSON (any key case); `code` stays, it is an error code in JSON bodies. */
const JSON_FIELD = /"((?:[^"\\\n]|\\.){1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

/** The same, one level down: JSON quoted inside a JSON string (`"message":"{\"refresh_token\": …}"`). */
const QUOTED_JSON_FIELD = /\\"((?:[^"\\\n]|\\[^"]){1,64}?)\\"(\s*:\s*)\\"((?:[^"\\]|\\[^"])*)\\"/g;

/**
 * A field whose value the text cuts off (a body captured up to --max-capture-bytes ends inside
 * it): no closing quote, so JSON_FIELD does not see it; the value runs to the end of the text.
 */
const CUT_IKEY_MASK = '-****-****-****-************';
const CUT_JSON_FIELD = /"((?:[^"\\\n]|\\.){1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*\\?)$/;
/** The same cut inside JSON quoted in a JSON string (a trace message holding a token response). */
const CUT_QUOTED_JSON_FIELD = /\\"((?:[^"\\\n]|\\[^"]){1,64}?)\\"(\s*:\s*)\\"((?:[^"\\]|\\[^"])*\\?)$/;

function redactJsonFields(text: string): string {
  if (!text.includes('"')) return text;
  const field =
    (q: string, close = q) =>
    (m: string, name: string, colon: string, value: string) => {
      if (isIkeyName(name)) {
        // A cut key is no whole GUID for maskIfIkey to see: only its first group stays.
        const masked =
          close === '' && value.length > 8 ? `${value.slice(0, 8)}${CUT_IKEY_MASK}` : maskIfIkey(value);
        return `${q}${name}${q}${colon}${q}${masked}${close}`;
      }
      if (!isSecretName(name) || normalizeName(name) === 'code' || value === REDACTED || value === '')
        return m;
      return `${q}${name}${q}${colon}${q}${REDACTED}${close}`;
    };
  let out = text.replace(JSON_FIELD, field('"'));
  if (out.includes('\\"')) {
    out = out.replace(QUOTED_JSON_FIELD, field('\\"'));
    out = out.replace(CUT_QUOTED_JSON_FIELD, field('\\"', ''));
  }
  return out.replace(CUT_JSON_FIELD, field('"', ''));
}

/**
 * `api-key: …` as a header quoted inside text (an error message or an SDK log quoting a request),
 * or a setting written `name: value` (YAML, a config dump): any secret name, not only the
 * well-known headers (`X-Client-Secret: …`, `client_secret: …`, `refresh_token: …`). Only names
 * with a secret-looking word are matched at all, so `Host: …` cannot swallow the rest of its line.
 */
const HEADER_LINE =
  /(^|[\s"'>]|\\[nr])([ \t]*)((?=[A-Za-z0-9_.-]*(?:auth|key|secret|token|pass|pwd|assertion|sig|cookie|identity))[A-Za-z][A-Za-z0-9_.-]{0,63})([ \t]*:[ \t]*)((?:[^\r\n\\"]|\\[^nr"])+)/gi;

/** `Bearer <token>` in any case; not `Bearer realm="…"` (a challenge, not a credential). */
const BEARER = /\b(bearer)(\s+|%20|\+)(?![A-Za-z0-9_-]+\s*=\s*")([A-Za-z0-9._~+/-]{12,}=*)/gi;
/** `Basic <base64 of user:password>`: only when it decodes to that (not the word "authentication"). */
const BASIC = /\b(basic)(\s+|%20|\+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi;
/**
 * `scheme://user:password@host`: the password of a URL's user info (an upstream proxy URL...).
 * The user may be empty (`http://:password@host` is a valid URL). The password runs to the last
 * `@` before the host: people type `p@ss` unencoded, and the part after its `@` is secret too.
 */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"'<>]*:)([^\s/?#"'<>]+)(@)/gi;
/** The same URL percent-encoded, as a query or form value carries it (`http%3A%2F%2Fu%3Apw%40host`). */
const URL_PASSWORD_ENCODED = /(\b[a-z][a-z0-9+.-]*%3A%2F%2F[^/\s:@"'<>&%]*%3A)([^@\s/"'<>&]+?)(%40)/gi;
/** A JWT anywhere (header and payload are base64url JSON: they start with `eyJ`). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

const GUID_SOURCE = '[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}';
/**
 * A key named in prose: `Instrumentation Key: …`, `iKey 1111…`, `invalid instrumentation key '…'`,
 * also after `_` (`APPINSIGHTS_INSTRUMENTATIONKEY …`).
 */
const IKEY_IN_PROSE = new RegExp(
  `((?<![A-Za-z0-9])(?:c?ikeys?|instrumentation[\\s_-]*keys?)\\b[^\\r\\n]{0,32}?)(?<![0-9A-Fa-f-])(${GUID_SOURCE})(?![0-9A-Fa-f])`,
  'gi',
);
const IKEY_IN_ENVELOPE_NAME = /(Microsoft\.ApplicationInsights\.)([0-9a-fA-F]{32})(\.)/g;
/** `api/profiles/<ikey>/appId`, `api/apps/<ikey>/…` (the profiler and appId lookups). */
const IKEY_IN_PATH = new RegExp(`(/(?:profiles|apps)/)(${GUID_SOURCE})(?![0-9A-Fa-f])`, 'gi');

/** Keys already seen (full or masked) as `first8:last4`, to mask the same key wherever else it appears. */
export type KnownIkeys = Set<string>;
/** No keys known: the default of the maskers, which only read the keys (one set, not one per call). */
const NO_KNOWN_IKEYS: ReadonlySet<string> = new Set();

export function ikeyTag(key: string): string {
  const hex = key.replace(/[-*]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}:${hex.slice(-4)}`;
}

/** A pattern for GUIDs that start like one of the known keys (far cheaper than every GUID). */
function knownIkeyPattern(known: ReadonlySet<string>): RegExp {
  const prefixes = [...new Set([...known].map((tag) => tag.slice(0, 8)))].filter((p) =>
    /^[0-9a-f]{8}$/.test(p),
  );
  const key = prefixes.join('|');
  let pattern = KNOWN_PATTERNS.get(key);
  if (!pattern) {
    pattern = new RegExp(
      `(?<![0-9A-Fa-f-])(?:${key})-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}(?![0-9A-Fa-f-])`,
      'gi',
    );
    // Every string of every line is masked with this pattern: compile it once per set of keys
    // (a handful per process), not once per string. Bounded: a stream of new keys starts over.
    if (KNOWN_PATTERNS.size >= 64) KNOWN_PATTERNS.clear();
    KNOWN_PATTERNS.set(key, pattern);
  }
  return pattern;
}
const KNOWN_PATTERNS = new Map<string, RegExp>();

function maskKnownIkeys(text: string, known: ReadonlySet<string>): string {
  if (known.size === 0) return text;
  return text.replace(knownIkeyPattern(known), (g) => (known.has(ikeyTag(g)) ? maskIkey(g) : g));
}

/**
 * What every pattern above needs at least one of: `=` or `%3D` (PARAM), `"` (JSON fields), `@`
 * (URL_PASSWORD), `\\` (escapes), the words of BEARER, BASIC and JWT, a secret-looking name
 * before a colon (HEADER_LINE: `X-Client-Secret:`, not every "token" in a sentence), and 8 hex
 * digits in a row (every iKey pattern, known keys included). A string with none of them comes out
 * of redactText unchanged, so most strings of a line (methods, header values, times, hosts) skip
 * the dozen patterns; test/redaction checks this against every string of the secret corpus.
 */
const MAY_HOLD_SECRET =
  /[=%"@\\]|bearer|basic|eyJ|(?:auth|key|secret|token|pass|pwd|assertion|sig|cookie|identity)[A-Za-z0-9_.-]*[ \t]*:|[0-9a-f]{8}/i;

export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET.test(text);
}

/** Masks secrets inside any text: bodies (form, JSON, NDJSON), messages, URLs, log text. */
export function redactText(text: string, known: ReadonlySet<string> = NO_KNOWN_IKEYS): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  if (text.length > UNCHANGED_MAX_LENGTH) return redactEveryPattern(text, known);
  const key = `${knownKey(known)}\u0000${text}`;
  if (UNCHANGED.has(key)) return text;
  const out = redactEveryPattern(text, known);
  if (out === text) {
    if (UNCHANGED.size >= UNCHANGED_MAX) UNCHANGED.delete(UNCHANGED.values().next().value as string);
    UNCHANGED.add(key);
  }
  return out;
}

/**
 * Short texts the patterns left as they were, with the known keys they were masked against: a
 * line's title, a masked iKey, a service's answer come back on every line of a storm. Only
 * texts that did not change are kept, so the cache holds nothing the log does not print anyway.
 * Bounded: the oldest goes first.
 */
const UNCHANGED_MAX_LENGTH = 256;
const UNCHANGED_MAX = 4096;
const UNCHANGED = new Set<string>();
function knownKey(known: ReadonlySet<string>): string {
  return known.size === 0
    ? ''
    : known.size === 1
      ? (known.values().next().value as string)
      : [...known].sort().join(',');
}

/** redactText without the shortcut (tests compare the two). */
export function redactEveryPattern(text: string, known: ReadonlySet<string> = NO_KNOWN_IKEYS): string {
  let out = unescapeAscii(text);
  out = redactParams(out);
  out = redactJsonFields(out);
  out = out.replace(
    HEADER_LINE,
    (m, start: string, indent: string, name: string, colon: string, value: string) => {
      // `code: 700016` and `error code: AADSTS…` are error codes; `token_type: Bearer` is no secret.
      if (!isSecretName(name) || normalizeName(name) === 'code') return m;
      const atLineStart = start === '' || start === '\n' || start === '\r' || start.startsWith('\\');
      // In a sentence a plain word is English (`validate the token: it may…`), not a setting.
      if (!atLineStart && /^[a-z]+$/i.test(name) && !SECRET_HEADERS.has(name.toLowerCase())) return m;
      // The scheme is not secret and tells a reader what was sent: `Authorization: Bearer [redacted]`.
      const scheme = /^(bearer|basic|sharedaccesssignature|negotiate|ntlm|digest)\s+/i.exec(value)?.[0] ?? '';
      const rest = value.slice(scheme.length);
      // A placeholder in documentation (`Authorization: Bearer <JWT>`) is not a credential.
      if (rest === '' || rest.startsWith('<') || rest.startsWith(REDACTED)) return m;
      // A real header line: its whole value. Quoted in prose: the one token, the sentence stays.
      const after = atLineStart ? '' : rest.replace(/^\S+/, '');
      return `${start}${indent}${name}${colon}${scheme}${REDACTED}${after}`;
    },
  );
  out = out.replace(BEARER, (_m, word: string, space: string) => `${word}${space}${REDACTED}`);
  out = out.replace(BASIC, (m, word: string, space: string, value: string) =>
    Buffer.from(value, 'base64').toString('latin1').includes(':') ? `${word}${space}${REDACTED}` : m,
  );
  out = out.replace(JWT, REDACTED);
  for (const pattern of [URL_PASSWORD, URL_PASSWORD_ENCODED]) {
    out = out.replace(pattern, (m, pre: string, pw: string, at: string) =>
      pw === REDACTED ? m : `${pre}${REDACTED}${at}`,
    );
  }
  out = out.replace(IKEY_IN_PROSE, (_m, pre: string, v: string) => `${pre}${maskIkey(v)}`);
  out = out.replace(
    IKEY_IN_ENVELOPE_NAME,
    (_m, pre: string, v: string, post: string) => `${pre}${maskIkey(v)}${post}`,
  );
  out = out.replace(IKEY_IN_PATH, (_m, pre: string, v: string) => `${pre}${maskIkey(v)}`);
  return maskKnownIkeys(out, known);
}

/** Masks secrets in a path-with-query, keeping its shape (and the exact path) readable. */
export function redactPath(pathAndQuery: string): string {
  return redactText(pathAndQuery);
}

/** Headers whose values are credentials: replaced, never logged (see isSecretHeader for all of them). */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'x-ms-qps-auth-api-key',
  'x-identity-header',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-functions-key',
  'ocp-apim-subscription-key',
  'secret',
]);

/** Any header whose value is a credential: the list above and every secret-looking name. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || isSecretName(name);
}

/**
 * A proxy URL as an error may quote it: whatever stands before its last `@` (after the scheme) is
 * credentials, also when the value is too broken to parse (`http://u:pa/ss@host`, a space, no
 * scheme), so it is replaced whole.
 */
export function withoutCredentials(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  return `${scheme}[credentials]${value.slice(at)}`;
}
