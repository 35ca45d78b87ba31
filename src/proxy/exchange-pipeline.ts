import type { Exchange } from '../model/exchange';
import type { Finding } from '../model/finding';
import type { Analysis } from '../model/log-line';
import type { ExchangeSink } from '../sinks/exchange-sink';
import type { LiveExchange } from './live-exchange';
import { exchangeHeadline, recordExchange } from './record-exchange';

export type Analyzer = (exchange: Exchange) => { analysis?: Analysis; findings: Finding[] };

/**
 * From the relay's raw notes to the sinks, off the relay's path: each exchange is recorded,
 * analysed and written on a later turn of the event loop. The backlog is bounded: under a burst
 * beyond it, exchanges are still relayed but counted as not analysed (and said so).
 */
export class ExchangePipeline {
  private pending = 0;
  dropped = 0;
  processed = 0;

  constructor(
    private readonly sinks: ExchangeSink[],
    private readonly analyze: Analyzer,
    private readonly maxCaptureBytes: number,
    private readonly maxBacklog = 2000,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  accept(live: LiveExchange): void {
    if (this.pending >= this.maxBacklog) {
      this.dropped += 1;
      return;
    }
    this.pending += 1;
    setImmediate(() => {
      this.process(live)
        .catch((err: Error) => this.onError(err))
        .finally(() => {
          this.pending -= 1;
        });
    });
  }

  async process(live: LiveExchange): Promise<void> {
    const exchange = await recordExchange(live, this.maxCaptureBytes);
    let result: { analysis?: Analysis; findings: Finding[] };
    try {
      result = this.analyze(exchange);
    } catch (err) {
      // A rule bug must never lose the exchange: log it without findings, and say why.
      this.onError(err as Error);
      result = { findings: [] };
    }
    const line = { msg: exchangeHeadline(exchange), exchange, analysis: result.analysis, findings: result.findings };
    for (const sink of this.sinks) sink.write(line);
    this.processed += 1;
  }

  /** Resolves once every accepted exchange has reached the sinks (bounded wait). */
  async drain(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }
}
