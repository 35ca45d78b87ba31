/**
 * How many healthy request bodies per second are decoded and parsed. Failures are always decoded
 * in full (they are what the user is here for); a flood of healthy batches is sampled, so the
 * analysis cannot eat the CPU the relay needs. The first `perSecond` of every second pass.
 */
export class DecodeBudget {
  private windowStart = 0;
  private used = 0;

  constructor(private readonly perSecond: number) {}

  take(now = Date.now()): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= this.perSecond) return false;
    this.used += 1;
    return true;
  }
}
