/**
 * Coalesces "something changed, draw again" into at most one draw per `minIntervalMs`, on an
 * animation frame: a feed of thousands of rows a second costs a few draws a second, and a hidden
 * tab (no animation frames) draws nothing until it is shown again.
 */
export class RenderScheduler {
  private timer?: ReturnType<typeof setTimeout>;
  private frame?: number;
  private last = 0;

  constructor(
    private readonly draw: () => void,
    private readonly minIntervalMs: number,
  ) {}

  /** Draw soon: once, however many times this is called meanwhile. */
  request(): void {
    if (this.timer !== undefined || this.frame !== undefined) return;
    const wait = Math.max(0, this.last + this.minIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.frame = requestAnimationFrame(() => this.now());
    }, wait);
  }

  /** Draw right away (a user's action: the answer must be on screen at once); cancels a pending draw. */
  now(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.timer = undefined;
    this.frame = undefined;
    this.last = performance.now();
    this.draw();
  }
}
