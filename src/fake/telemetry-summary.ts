import { maskIkey } from '../ingestion/redact';
import { isUnparsable, type BodyFormat, type TelemetryItem } from './body-decoding';

export interface TelemetrySummary {
  /** Bytes on the wire. */
  bytes: number;
  contentType?: string;
  contentEncoding?: string;
  /** Bytes after Content-Encoding was undone. */
  decodedBytes?: number;
  format?: BodyFormat;
  items?: number;
  /** How many items of each `data.baseType`. */
  baseTypes?: Record<string, number>;
  /** Distinct envelope names (a few). */
  names?: string[];
  /** Distinct instrumentation keys, masked. */
  ikeys?: string[];
  unparsableItems?: number;
  error?: string;
}

const MAX_NAMES = 10;

/** What a user needs to see of a telemetry body: its shape and contents, never a full iKey. */
export function summarizeTelemetry(items: TelemetryItem[]): Partial<TelemetrySummary> {
  const baseTypes: Record<string, number> = {};
  const names = new Set<string>();
  const ikeys = new Set<string>();
  let unparsable = 0;
  for (const item of items) {
    if (isUnparsable(item)) {
      unparsable += 1;
      continue;
    }
    const data = item.data as Record<string, unknown> | undefined;
    const baseType = typeof data?.baseType === 'string' ? data.baseType : '(none)';
    baseTypes[baseType] = (baseTypes[baseType] ?? 0) + 1;
    if (typeof item.name === 'string' && names.size < MAX_NAMES) names.add(maskEnvelopeName(item.name));
    if (typeof item.iKey === 'string') ikeys.add(maskIkey(item.iKey));
  }
  const summary: Partial<TelemetrySummary> = {
    items: items.length,
    baseTypes,
    names: [...names],
    ikeys: [...ikeys],
  };
  if (unparsable > 0) summary.unparsableItems = unparsable;
  return summary;
}

/** Node 2.x puts the iKey (without dashes) inside the envelope name. */
function maskEnvelopeName(name: string): string {
  return name.replace(/\b[0-9a-fA-F]{32}\b/g, (hex) => maskIkey(hex));
}
