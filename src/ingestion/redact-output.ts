/**
 * The one redaction every output applies: stdout and the log file (the logger's hook), the HAR
 * (live and from a log), `pretty` and `report`. It walks any JSON value, whatever its shape (an
 * exchange log line, a HAR entry, a startup line, a line from someone else's log), and masks:
 *  - values under secret names (headers, JSON keys, HAR name/value pairs), in any case;
 *  - secrets inside every string (redactText: parameters, JSON fields, bearer, JWTs, iKeys);
 *  - bodies stored as base64 (decoded, masked, re-encoded: one control byte must not hide a body);
 *  - an iKey wherever it appears once the line has shown it anywhere (full, or masked).
 * It is idempotent: masking a masked line changes nothing.
 */
import { compressionFormatOf } from './compressed-bytes';
import { ikeyTag, type KnownIkeys, maskIkey, REDACTED, redactText } from './redact';
import { isIkeyName, isSecretName, normalizeName } from './secret-names';

type Json = unknown;

const MASKED_IKEY = /\b([0-9a-f]{8})-\*{4}-\*{4}-\*{4}-\*{8}([0-9a-f]{4})\b/gi;
const FULL_GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
/** Deeper than this, a container is replaced by TOO_DEEP: never walked, so never shown unmasked. */
const MAX_DEPTH = 64;
export const TOO_DEEP = '[nested too deep to check: not shown]';

/**
 * Values many lines share and nobody changes (a token's summary, cached per header and frozen):
 * the iKeys each shows and its masked copy are kept beside it (weakly), so a storm of lines with
 * the same token masks that token's claims once, not once per line. The masked copy depends on
 * the keys the rest of the line shows and on the depth, so it is kept per (known keys, depth).
 */
const SHARED = new WeakSet<object>();
const SHARED_IKEYS = new WeakMap<object, string[]>();
const SHARED_MASKED = new WeakMap<object, Map<string, Json>>();
/** Distinct (known keys, depth) kept per shared value at most. */
const SHARED_VARIANTS = 8;

/** Marks a deeply frozen value as shared between lines (see SHARED). */
export function sharedOutputValue<T extends object>(value: T): T {
  if (!Object.isFrozen(value)) throw new TypeError('a shared output value must be frozen');
  SHARED.add(value);
  return value;
}

/** First pass: every iKey the value shows (masked anywhere, or full under an iKey name). */
function collectIkeys(value: Json, known: KnownIkeys, name?: string, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (depth <= 32 && typeof value === 'object' && value !== null && SHARED.has(value)) {
    let tags = SHARED_IKEYS.get(value);
    if (!tags) {
      const own: KnownIkeys = new Set();
      collectChildren(value, own, name, depth);
      tags = [...own];
      SHARED_IKEYS.set(value, tags);
    }
    for (const tag of tags) known.add(tag);
    return;
  }
  collectChildren(value, known, name, depth);
}

function collectChildren(value: Json, known: KnownIkeys, name: string | undefined, depth: number): void {
  if (typeof value === 'string') {
    if (name && isIkeyName(name) && FULL_GUID.test(value.trim())) known.add(ikeyTag(value.trim()));
    if (value.includes('-****-'))
      for (const m of value.matchAll(MASKED_IKEY)) known.add(`${m[1]!.toLowerCase()}:${m[2]!.toLowerCase()}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectIkeys(v, known, name, depth + 1);
    return;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, Json>;
    for (const k in obj) if (Object.hasOwn(obj, k)) collectIkeys(obj[k], known, k, depth + 1);
  }
}

/**
 * Binary text (latin1 keeps every byte) masked like any text, then re-encoded. Compressed bytes
 * (a log from elsewhere that kept a gzip body as base64) hide their text from the masking, so
 * they are not shown at all.
 */
function redactBase64(b64: string, known: KnownIkeys): string {
  const bytes = Buffer.from(b64, 'base64');
  if (compressionFormatOf(bytes)) return REDACTED;
  const raw = bytes.toString('latin1');
  const masked = redactText(raw, known);
  return masked === raw ? b64 : Buffer.from(masked, 'latin1').toString('base64');
}

function secretValue(value: Json): Json {
  if (typeof value === 'string') return value === '' ? value : REDACTED;
  if (Array.isArray(value)) return value.map(secretValue);
  return undefined; // objects (an authorization summary) are walked, not replaced
}

function isBase64Holder(obj: Record<string, Json>): boolean {
  return obj.encoding === 'base64' || obj._encoding === 'base64';
}

function walk(value: Json, known: KnownIkeys, name: string | undefined, depth: number): Json {
  if (depth > MAX_DEPTH)
    return typeof value === 'object' && value !== null ? TOO_DEEP : walkValue(value, known, name, depth);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && SHARED.has(value)) {
    // An object's copy does not depend on its own name, only on its content, the keys and depth.
    const key = `${depth}|${[...known].join(',')}`;
    let variants = SHARED_MASKED.get(value);
    const hit = variants?.get(key);
    if (hit !== undefined) return hit;
    const out = walkObject(value as Record<string, Json>, known, depth);
    if (!variants) SHARED_MASKED.set(value, (variants = new Map()));
    if (variants.size >= SHARED_VARIANTS) variants.clear();
    variants.set(key, out);
    return out;
  }
  return walkValue(value, known, name, depth);
}

function walkValue(value: Json, known: KnownIkeys, name: string | undefined, depth: number): Json {
  if (typeof value === 'string') {
    if (name && isIkeyName(name) && FULL_GUID.test(value.trim())) return maskIkey(value);
    return redactText(value, known);
  }
  if (Array.isArray(value)) return walkArray(value, known, name, depth);
  if (!value || typeof value !== 'object') return value;
  return walkObject(value as Record<string, Json>, known, depth);
}

/*
 * Copy on write: a container comes back as itself when nothing inside it changed (most of a
 * line is masked already when its record is built), so a clean line costs one walk and no copy.
 * Nothing downstream changes what it gets; every output is serialised or copied again.
 */
function walkArray(arr: readonly Json[], known: KnownIkeys, name: string | undefined, depth: number): Json {
  let out: Json[] | undefined;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    const masked = walk(v, known, name, depth + 1);
    if (out === undefined && masked !== v) out = arr.slice(0, i);
    if (out !== undefined) out.push(masked);
  }
  return out ?? arr;
}

function walkObject(obj: Record<string, Json>, known: KnownIkeys, depth: number): Json {
  let out: Record<string, Json> | undefined;
  // HAR {name, value} pairs (headers, query strings, cookies): the name says whether it is secret.
  const pairName = typeof obj.name === 'string' && 'value' in obj ? obj.name : undefined;
  for (const rawKey in obj) {
    if (!Object.hasOwn(obj, rawKey)) continue;
    const v = obj[rawKey];
    // Keys can be data too (a report's `GET host/path?…` routes, hosts and statuses read from a log).
    const key = redactText(rawKey, known);
    const masked = maskedEntry(obj, key, v, pairName, known, depth);
    if (out === undefined && (masked !== v || key !== rawKey)) out = entriesBefore(obj, rawKey);
    if (out !== undefined) out[key] = masked;
  }
  return out ?? obj;
}

/** A copy of the object's own entries that come before `stop` (the first one that changed). */
function entriesBefore(obj: Record<string, Json>, stop: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k in obj) {
    if (k === stop) break;
    if (Object.hasOwn(obj, k)) out[k] = obj[k];
  }
  return out;
}

/** One entry of an object, masked (the same value when nothing in it needed masking). */
function maskedEntry(
  obj: Record<string, Json>,
  key: string,
  v: Json,
  pairName: string | undefined,
  known: KnownIkeys,
  depth: number,
): Json {
  if (key === 'value' && pairName !== undefined) {
    if (isSecretName(pairName) && !(normalizeName(pairName) === 'code' && /^\d*$/.test(String(v)))) {
      return secretValue(v) ?? walk(v, known, pairName, depth + 1);
    }
    return walk(v, known, pairName, depth + 1);
  }
  if (key === 'base64' && typeof v === 'string') return redactBase64(v, known);
  if (key === 'text' && typeof v === 'string' && isBase64Holder(obj)) return redactBase64(v, known);
  // `code` keys in records are error codes (ECONNREFUSED, InvalidAuthenticationToken), not secrets.
  if (isSecretName(key) && normalizeName(key) !== 'code') {
    const replaced = secretValue(v);
    if (replaced !== undefined) return replaced;
  }
  return walk(v, known, key, depth + 1);
}

/**
 * Outputs redactForOutput made for a sink that hands them on (the annotated log): the logger's own
 * hook then skips them instead of masking the same line a second time.
 */
const REDACTED_OUTPUTS = new WeakSet<object>();

/** redactForOutput, remembering the result as already masked (see isRedactedOutput). */
export function redactedOutput<T extends object>(value: T): T {
  const out = redactForOutput(value);
  REDACTED_OUTPUTS.add(out);
  return out;
}

export function isRedactedOutput(value: unknown): boolean {
  return typeof value === 'object' && value !== null && REDACTED_OUTPUTS.has(value);
}

/** A copy of `value` with every secret masked (see the file comment). */
export function redactForOutput<T>(value: T): T {
  const known: KnownIkeys = new Set();
  collectIkeys(value, known);
  return walk(value, known, undefined, 0) as T;
}

/** A GUID's first group, in any text that could hold a key (most messages hold none). */
const MAYBE_IKEY = /[0-9a-f]{8}/i;

/**
 * Text written beside a masked value (a log line's message beside its record): masked with the
 * iKeys the value shows too, as one line is masked as a whole. Alone, `GET host/a/<key>/b` has no
 * sign that the GUID is a key, while the record beside it names that key.
 */
export function redactTextBeside(text: string, value: Json): string {
  if (!MAYBE_IKEY.test(text)) return redactText(text);
  const known: KnownIkeys = new Set();
  collectIkeys(value, known);
  return redactText(text, known);
}
