/**
 * Text from a peer, shown to a person: every control character made visible, so a value can
 * neither forge a line (`\n`, `\r`, U+2028) nor drive the terminal (ESC and C1 sequences that
 * move the cursor, hide text or set the title) nor reorder what is read (bidi overrides).
 * Applied to the data before the readable views add their own newlines and colours.
 */

/** C0 (tab included), DEL, C1, the Unicode line and paragraph separators, bidi controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `a\nb\x1b[8m` → `a\\nb\\x1b[8m`: one line, inert. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, visible);
}

/** A copy of a JSON value whose strings (and keys) are all escaped. */
export function escapeStrings<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return escapeControls(value) as T;
  if (depth > 64 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => escapeStrings(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[escapeControls(k)] = escapeStrings(v, depth + 1);
  return out as T;
}

/**
 * JSON escapes C0 controls but lets C1 controls (U+0080–U+009F, CSI among them) and the Unicode
 * line separators through raw, and a terminal tailing the log would act on them. They can only
 * sit inside JSON strings, so `\u00XX` there means the same value to every JSON reader.
 */
const RAW_C1 = /[\u0080-\u009f\u2028\u2029]/g;
const HAS_C1 = /[\u0080-\u009f\u2028\u2029]/;
export function escapeC1InJson(line: string): string {
  return HAS_C1.test(line)
    ? line.replace(RAW_C1, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : line;
}
