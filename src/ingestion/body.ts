/** Telemetry and service bodies: a JSON array, newline-delimited JSON, or one object. */

/** 'not-decoded': a healthy body the proxy's decode budget skipped (sizes only). */
export type BodyShape =
  'json-array' | 'ndjson' | 'json-object' | 'json-value' | 'text' | 'empty' | 'not-decoded';

export interface ParsedBody {
  shape: BodyShape;
  /** The JSON documents found (array items, NDJSON lines, or the one object). */
  documents: unknown[];
  /** NDJSON lines that did not parse (a truncated capture leaves at least the last one). */
  invalidLines: number;
}

const EMPTY: ParsedBody = { shape: 'empty', documents: [], invalidLines: 0 };

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function parseLines(text: string): ParsedBody {
  const documents: unknown[] = [];
  let invalidLines = 0;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const parsed = tryParse(trimmed);
    if (parsed.ok) documents.push(parsed.value);
    else invalidLines++;
  }
  if (documents.length === 0) return { shape: 'text', documents: [], invalidLines };
  return { shape: 'ndjson', documents, invalidLines };
}

/**
 * Parses a decoded body once; never throws. A whole-text parse is tried first (one pass for
 * the common JSON array); only when that fails and the text has several lines is it split.
 */
export function parseJsonBody(raw: string | undefined): ParsedBody {
  // A UTF-8 byte-order mark (.NET writers emit one) is no JSON to JSON.parse: drop it first.
  const text = raw?.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (!text) return EMPTY;
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[')
    return { shape: text.trim() ? 'text' : 'empty', documents: [], invalidLines: 0 };
  const whole = tryParse(text);
  if (whole.ok) {
    const value = whole.value;
    if (Array.isArray(value)) return { shape: 'json-array', documents: value, invalidLines: 0 };
    if (value && typeof value === 'object')
      return { shape: 'json-object', documents: [value], invalidLines: 0 };
    return { shape: 'json-value', documents: [value], invalidLines: 0 };
  }
  if (start === '{' && text.includes('\n')) return parseLines(text);
  return { shape: 'text', documents: [], invalidLines: 0 };
}

/** A parsed document as a plain record, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
