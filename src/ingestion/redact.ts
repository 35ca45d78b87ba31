/**
 * What is secret in Application Insights and Entra traffic, and how it is masked.
 * Every Exchange passes through here before it exists, so no sink can leak.
 */

const GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** 11111111-2222-3333-4444-555555555555 → 11111111-****-****-****-********5555. */
export function maskIkey(value: string): string {
  const v = value.trim();
  if (!GUID.test(v)) return v.length <= 8 ? '****' : `${v.slice(0, 4)}****`;
  const hex = v.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-****-****-****-********${hex.slice(28)}`;
}

const SECRET_FORM_FIELDS =
  /(^|[&?])(client_secret|client_assertion|assertion|refresh_token|password|code|access_token)=([^&\s"'<>]*)/gi;
const SECRET_JSON_FIELDS =
  /("(?:access_token|refresh_token|id_token|client_secret|client_assertion|password)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;
const IKEY_JSON_FIELDS = /("(?:iKey|ikey|cikey|instrumentationKey)"\s*:\s*")([0-9a-fA-F-]{32,36})(")/g;
const IKEY_IN_CONN_STRING = /(InstrumentationKey=)([0-9a-fA-F-]{32,36})/gi;
const IKEY_IN_ENVELOPE_NAME = /(Microsoft\.ApplicationInsights\.)([0-9a-fA-F]{32})(\.)/g;
const BEARER_IN_TEXT = /(Bearer\s+)([A-Za-z0-9._~+/=-]{16,})/g;

/** Masks secrets inside a body (form-encoded, JSON, NDJSON or log text). */
export function redactText(text: string): string {
  return (
    text
      // A numeric `code` is an error code (…/error?code=700016), not an authorization code.
      .replace(SECRET_FORM_FIELDS, (m, sep: string, name: string, value: string) =>
        name.toLowerCase() === 'code' && /^\d+$/.test(value) ? m : `${sep}${name}=[redacted]`,
      )
      .replace(SECRET_JSON_FIELDS, (_m, pre: string, _v: string, post: string) => `${pre}[redacted]${post}`)
      .replace(IKEY_JSON_FIELDS, (_m, pre: string, v: string, post: string) => `${pre}${maskIkey(v)}${post}`)
      .replace(IKEY_IN_CONN_STRING, (_m, pre: string, v: string) => `${pre}${maskIkey(v)}`)
      .replace(
        IKEY_IN_ENVELOPE_NAME,
        (_m, pre: string, v: string, post: string) => `${pre}${maskIkey(v)}${post}`,
      )
      .replace(BEARER_IN_TEXT, (_m, pre: string) => `${pre}[redacted]`)
  );
}

const SECRET_QUERY_PARAMS = new Set([
  'client_secret',
  'client_assertion',
  'code',
  'access_token',
  'sig',
  'password',
]);
const IKEY_QUERY_PARAMS = new Set(['ikey', 'instrumentationkey']);

/** Masks secrets in a path-with-query, keeping its shape (and the exact path) readable. */
export function redactPath(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  if (q === -1) return pathAndQuery;
  const path = pathAndQuery.slice(0, q);
  const parts = pathAndQuery
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const name = pair.slice(0, eq);
      const lower = name.toLowerCase();
      if (SECRET_QUERY_PARAMS.has(lower)) return `${name}=[redacted]`;
      if (IKEY_QUERY_PARAMS.has(lower)) {
        let value = pair.slice(eq + 1);
        try {
          value = decodeURIComponent(value);
        } catch {
          /* keep raw */
        }
        return `${name}=${maskIkey(value)}`;
      }
      return pair;
    });
  return `${path}?${parts.join('&')}`;
}

/** Headers whose values are credentials: replaced, never logged. */
export const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-ms-qps-auth-api-key',
  'x-identity-header',
  'cookie',
  'set-cookie',
  'x-api-key',
]);
