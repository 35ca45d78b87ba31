import { isUnparsable, type TelemetryItem } from './body-decoding';
import { MESSAGE_INVALID_IKEY } from './defaults';

/** One entry of the service's `errors[]`. */
export interface ItemError {
  index: number;
  statusCode: number;
  message: string;
}

const GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Lower-case, dashed form, so keys compare however the SDK wrote them. */
export function normalizeIkey(value: string): string {
  const hex = value.trim().replace(/-/g, '').toLowerCase();
  if (hex.length !== 32) return value.trim().toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The service's schema message (seen in real 206/400 bodies). */
function requiredField(field: string, type: string, value: unknown): string {
  const actual = value === undefined ? 'undefined' : value === null ? 'null' : typeof value;
  return `109: Field '${field}' on type '${type}' is required but missing or empty. Expected: string, Actual: ${actual}`;
}

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

export interface EnvelopeRules {
  /** Known instrumentation keys (normalized). Empty: any GUID is accepted. */
  knownIkeys: ReadonlySet<string>;
  /** Always accepted (statsbeat). */
  alwaysKnownIkeys: ReadonlySet<string>;
}

export function isKnownIkey(ikey: string, rules: EnvelopeRules): boolean {
  if (!GUID.test(ikey.trim())) return false;
  const key = normalizeIkey(ikey);
  return rules.alwaysKnownIkeys.has(key) || rules.knownIkeys.size === 0 || rules.knownIkeys.has(key);
}

/**
 * Checks one envelope the way the service does: `name` is required but never interpreted,
 * `time` must be a date, `iKey` must belong to a known resource, `data.baseType` is required.
 * Returns the item's error, or undefined when it is accepted.
 */
export function validateEnvelope(
  item: TelemetryItem,
  index: number,
  rules: EnvelopeRules,
): ItemError | undefined {
  const fail = (message: string): ItemError => ({ index, statusCode: 400, message });
  if (isUnparsable(item)) return fail('Invalid JSON: the item is not a JSON object');
  if (isBlank(item.name)) return fail(requiredField('name', 'Envelope', item.name));
  if (isBlank(item.time)) return fail(requiredField('time', 'Envelope', item.time));
  if (Number.isNaN(Date.parse(item.time as string))) {
    // Wording is ours: the real message for an unparsable time was not captured.
    return fail(`Field 'time' on type 'Envelope' is not a valid date-time: ${JSON.stringify(item.time)}`);
  }
  if (isBlank(item.iKey)) return fail(requiredField('iKey', 'Envelope', item.iKey));
  if (!isKnownIkey(item.iKey as string, rules)) return fail(MESSAGE_INVALID_IKEY);
  const data = item.data;
  const baseType = data && typeof data === 'object' ? (data as Record<string, unknown>).baseType : undefined;
  if (isBlank(baseType)) return fail(requiredField('baseType', 'Data', baseType));
  return undefined;
}

/** The iKey of an item, if it has one (for the statsbeat exemption and for logs). */
export function ikeyOf(item: TelemetryItem): string | undefined {
  if (isUnparsable(item)) return undefined;
  return typeof item.iKey === 'string' ? item.iKey : undefined;
}
