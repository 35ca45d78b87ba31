import type { Exchange } from '../model/exchange';
import type { Finding } from '../model/finding';

/** Failures of one kind that keep their body text in the log, per window. */
export const REPEATED_BODIES_PER_WINDOW = 5;
export const REPEAT_WINDOW_MS = 60_000;
/** Kinds remembered per window: past this, a new kind still keeps its body (bounded memory). */
const MAX_KINDS = 512;

/** What makes two failures "the same": their answer (or error) and their finding ids. */
export function failureKind(exchange: Exchange, findings: readonly Finding[]): string {
  const outcome = exchange.response ? String(exchange.response.status) : (exchange.error?.kind ?? 'none');
  return `${outcome}|${findings.map((f) => f.id).join(',')}`;
}

/**
 * `--log-bodies failures` in a failure storm: the first few failures of each kind in a window
 * keep their body text, later repeats keep sizes only (`omitted: 'repeated'`). A storm of one
 * expired token otherwise writes the same large body into every line, and the log's buffers
 * and the page's history hold it (issue 15: peak RSS in the storm). Distinct failures always
 * keep theirs.
 */
export class RepeatBudget {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly perWindow = REPEATED_BODIES_PER_WINDOW,
    private readonly windowMs = REPEAT_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this failure may keep its body text; counts it. */
  take(kind: string): boolean {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.counts.clear();
    }
    const seen = this.counts.get(kind) ?? 0;
    if (seen === 0 && this.counts.size >= MAX_KINDS) return true;
    this.counts.set(kind, seen + 1);
    return seen < this.perWindow;
  }
}
