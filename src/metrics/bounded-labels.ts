/**
 * A label whose values come from traffic: the first `max` distinct values are kept, later new
 * ones are counted as "other". Each value is a series for as long as the proxy runs, so a client
 * that scans random names must not grow memory (or every scrape) without bound.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(readonly max: number) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}
