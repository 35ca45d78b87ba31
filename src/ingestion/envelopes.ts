import { asRecord } from './body';
import { maskIkey } from './redact';

/** Microsoft's own statsbeat resources (SDK self-telemetry): EU and non-EU. */
export const STATSBEAT_IKEYS = [
  '7dc56bab-3c0c-4e9f-9ebb-d1acadee8d0f',
  'c4a29126-a7cb-47e5-b348-11414998b11e',
];
/** Bodies arrive masked, so statsbeat keys are recognised by their masked form. */
export const STATSBEAT_MASKED_IKEYS = STATSBEAT_IKEYS.map(maskIkey);

/** Lists in the summary stop growing here: a batch of thousands says nothing more after a few. */
const MAX_DISTINCT = 20;

export interface EnvelopeSummary {
  count: number;
  /** baseType (or the last segment of `name` when there is no baseType) → count. */
  byType: Record<string, number>;
  /** Masked instrumentation keys. */
  iKeys: string[];
  sdkVersions: string[];
  roleNames: string[];
  /** Envelopes that are SDK self-telemetry (statsbeat key or a name ending in "Statsbeat"). */
  statsbeat: number;
  /** Documents that are not envelope-shaped objects. */
  notEnvelopes: number;
}

const FULL_GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MASKED_GUID = /^[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{8}[0-9a-f]{4}$/i;

/** Keeps an already-masked key as it is; masks anything else (defence in depth: never a full key). */
export function ensureMaskedIkey(value: string): string {
  const v = value.trim();
  if (MASKED_GUID.test(v)) return v.toLowerCase();
  if (FULL_GUID.test(v)) return maskIkey(v);
  return maskIkey(v);
}

export function isStatsbeatIkey(maskedIkey: string): boolean {
  return STATSBEAT_MASKED_IKEYS.includes(maskedIkey.toLowerCase());
}

function addDistinct(list: string[], value: unknown): void {
  if (typeof value !== 'string' || !value || list.length >= MAX_DISTINCT || list.includes(value)) return;
  list.push(value);
}

function envelopeType(envelope: Record<string, unknown>): string {
  const baseType = asRecord(envelope.data)?.baseType;
  if (typeof baseType === 'string' && baseType) return baseType;
  const name = typeof envelope.name === 'string' ? envelope.name : '';
  return name ? (name.split('.').pop() ?? name) : 'unknown';
}

/** Summarises telemetry envelopes (already parsed documents of a track body). */
export function summarizeEnvelopes(documents: unknown[]): EnvelopeSummary {
  const summary: EnvelopeSummary = {
    count: 0,
    byType: {},
    iKeys: [],
    sdkVersions: [],
    roleNames: [],
    statsbeat: 0,
    notEnvelopes: 0,
  };
  for (const doc of documents) {
    const envelope = asRecord(doc);
    if (!envelope || (!('data' in envelope) && !('iKey' in envelope) && !('name' in envelope))) {
      summary.notEnvelopes++;
      continue;
    }
    summary.count++;
    const type = envelopeType(envelope);
    summary.byType[type] = (summary.byType[type] ?? 0) + 1;
    const rawIkey = envelope.iKey ?? envelope.ikey;
    const iKey = typeof rawIkey === 'string' && rawIkey ? ensureMaskedIkey(rawIkey) : undefined;
    if (iKey) addDistinct(summary.iKeys, iKey);
    const tags = asRecord(envelope.tags);
    if (tags) {
      addDistinct(summary.sdkVersions, tags['ai.internal.sdkVersion']);
      addDistinct(summary.roleNames, tags['ai.cloud.role']);
    }
    const name = typeof envelope.name === 'string' ? envelope.name : '';
    if ((iKey && isStatsbeatIkey(iKey)) || name.endsWith('Statsbeat')) summary.statsbeat++;
  }
  return summary;
}
