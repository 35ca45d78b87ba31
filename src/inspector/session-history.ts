import type { ExchangeLogLine } from '../model/log-line';
import { type SessionRow, sessionRow } from './session-row';
import { withGuidanceRef } from '../diagnosis/guidance-ref';

/** Defaults of the page's history: `--ui-history` entries, and a ceiling on what they hold. */
export const DEFAULT_UI_HISTORY = 1000;
export const DEFAULT_UI_HISTORY_BYTES = 64 * 1024 * 1024;

export interface StoredSession {
  seq: number;
  row: SessionRow;
  /** The record as the log wrote it (already redacted), serialised once. */
  json: string;
}

/**
 * The last N exchanges the page can show, oldest dropped first when either the count or the
 * byte ceiling is reached. Sequence numbers only grow (also across `clear`), so the page can
 * tell new rows from old ones.
 */
export class SessionHistory {
  private readonly entries = new Map<number, StoredSession>();
  private bytes = 0;
  private nextSeq = 1;
  /** Sessions dropped to stay within the limits (since start). */
  dropped = 0;

  constructor(
    readonly maxEntries: number = DEFAULT_UI_HISTORY,
    readonly maxBytes: number = DEFAULT_UI_HISTORY_BYTES,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError('history needs at least 1 entry');
  }

  add(line: ExchangeLogLine): StoredSession {
    const seq = this.nextSeq++;
    // Guidance as catalog references (the page's readers rebuild it): a storm's history holds
    // each finding's text once in the catalog, not once per entry.
    const json = JSON.stringify({
      exchange: line.exchange,
      analysis: line.analysis,
      findings: line.findings.map(withGuidanceRef),
    });
    const stored: StoredSession = { seq, row: sessionRow(seq, line), json };
    this.entries.set(seq, stored);
    this.bytes += json.length;
    while (this.entries.size > this.maxEntries || (this.bytes > this.maxBytes && this.entries.size > 1)) {
      const oldest = this.entries.values().next().value as StoredSession;
      this.entries.delete(oldest.seq);
      this.bytes -= oldest.json.length;
      this.dropped += 1;
    }
    return stored;
  }

  get(seq: number): StoredSession | undefined {
    return this.entries.get(seq);
  }

  /** Oldest first. */
  all(): StoredSession[] {
    return [...this.entries.values()];
  }

  rows(): SessionRow[] {
    return this.all().map((s) => s.row);
  }

  /** The smallest sequence number still held (the next one when empty). */
  get firstSeq(): number {
    const first = this.entries.keys().next();
    return first.done ? this.nextSeq : first.value;
  }

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
