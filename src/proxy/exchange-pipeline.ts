import type { Exchange } from '../model/exchange';
import type { Finding } from '../model/finding';
import type { Analysis } from '../model/log-line';
import type { ExchangeSink } from '../sinks/exchange-sink';
import { DecodeBudget } from './decode-budget';
import type { LiveExchange } from './live-exchange';
import { exchangeHeadline, recordExchange } from './record-exchange';

export type Analyzer = (exchange: Exchange) => { analysis?: Analysis; findings: Finding[] };

export interface PipelineLimits {
  /** Exchanges waiting for analysis at most. */
  maxBacklog: number;
  /** Captured bytes waiting for analysis at most. */
  maxBacklogBytes: number;
  /** Healthy request bodies decoded per second (failures always are). */
  healthyBodiesPerSecond: number;
}

export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = {
  maxBacklog: 1000,
  maxBacklogBytes: 8 << 20,
  healthyBodiesPerSecond: 50,
};

/**
 * From the relay's raw notes to the sinks, off the relay's path: each exchange is recorded,
 * analysed and written on a later turn of the event loop. Memory is bounded: past the backlog
 * limits an exchange is still relayed but not analysed, and a warning says how many were skipped.
 */
export class ExchangePipeline {
  private pending = 0;
  private pendingBytes = 0;
  private readonly budget: DecodeBudget;
  private lastDropNotice = 0;
  private dropsSinceNotice = 0;
  dropped = 0;
  processed = 0;

  /** Exchanges accepted and still waiting for analysis (the metrics' backlog gauge). */
  get backlog(): number {
    return this.pending;
  }

  constructor(
    private readonly sinks: ExchangeSink[],
    private readonly analyze: Analyzer,
    private readonly maxCaptureBytes: number,
    private readonly limits: PipelineLimits = DEFAULT_PIPELINE_LIMITS,
    private readonly onError: (err: Error) => void = () => undefined,
    private readonly onDrop: (skipped: number) => void = () => undefined,
  ) {
    this.budget = new DecodeBudget(limits.healthyBodiesPerSecond);
  }

  accept(live: LiveExchange): void {
    const bytes = (live.requestBody?.kept ?? 0) + (live.responseBody?.kept ?? 0);
    if (this.pending >= this.limits.maxBacklog || this.pendingBytes + bytes > this.limits.maxBacklogBytes) {
      this.dropped += 1;
      this.noteDrop();
      return;
    }
    this.pending += 1;
    this.pendingBytes += bytes;
    setImmediate(() => {
      this.process(live)
        .catch((err: Error) => this.onError(err))
        .finally(() => {
          this.pending -= 1;
          this.pendingBytes -= bytes;
        });
    });
  }

  /** At most one warning every 5 s, with the count since the last one. */
  private noteDrop(): void {
    this.dropsSinceNotice += 1;
    const now = Date.now();
    if (now - this.lastDropNotice < 5000) return;
    this.lastDropNotice = now;
    this.onDrop(this.dropsSinceNotice);
    this.dropsSinceNotice = 0;
  }

  async process(live: LiveExchange): Promise<void> {
    const healthy = !live.error && live.response !== undefined && live.response.status < 300;
    const exchange = await recordExchange(live, this.maxCaptureBytes, {
      decodeRequestBody: !healthy || this.budget.take(),
    });
    let result: { analysis?: Analysis; findings: Finding[] };
    try {
      result = this.analyze(exchange);
    } catch (err) {
      // A rule bug must never lose the exchange: log it without findings, and say why.
      this.onError(err as Error);
      result = { findings: [] };
    }
    const line = {
      msg: exchangeHeadline(exchange),
      exchange,
      analysis: result.analysis,
      findings: result.findings,
    };
    for (const sink of this.sinks) sink.write(line);
    this.processed += 1;
  }

  /** Resolves once every accepted exchange has reached the sinks (bounded wait). */
  async drain(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }
}
