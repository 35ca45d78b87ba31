import type { ExchangeLogLine } from '../model/log-line';
import type { ExchangeSink } from './exchange-sink';

/** What a line says about an exchange the proxy's own shutdown cut short. */
export const CUT_BY_SHUTDOWN =
  'cut short: the proxy was stopping (SIGTERM/SIGINT) while this exchange was in flight';

/**
 * Stopping the proxy closes the connections of exchanges still in flight. Their failure is ours,
 * not the upstream's or the client's: once the shutdown has begun, a line for an exchange that
 * started before it and did not complete is marked as such (`interruptedByShutdown`, and the
 * headline says so), and findings that would blame the network or the client are dropped.
 */
export class ShutdownMarker {
  private stoppingSince?: number;

  /** The proxy starts stopping now. */
  begin(at = Date.now()): void {
    this.stoppingSince ??= at;
  }

  /** Passes lines to `sinks`, marking those the shutdown cut short. */
  wrap(sinks: ExchangeSink[]): ExchangeSink[] {
    return sinks.map((sink) => ({
      write: (line: ExchangeLogLine) => sink.write(this.mark(line)),
      close: () => sink.close?.(),
    }));
  }

  mark(line: ExchangeLogLine): ExchangeLogLine {
    const since = this.stoppingSince;
    if (since === undefined) return line;
    const { exchange } = line;
    const completed = exchange.response !== undefined && !exchange.error;
    const endedAt = exchange.timings.start + (exchange.timings.total ?? 0);
    // Started after the shutdown began, or failed before it (and only analysed since): not ours.
    if (completed || exchange.timings.start > since || endedAt < since) return line;
    return {
      ...line,
      msg: `${line.msg} (${CUT_BY_SHUTDOWN})`,
      // The failure is the shutdown: findings about the network, the upstream or the client do not apply.
      findings: line.findings.filter(
        (f) => !/^(UPSTREAM_UNREACHABLE|UPSTREAM_TIMEOUT|CLIENT_ABORTED)$/.test(f.id),
      ),
      interruptedByShutdown: true,
    };
  }
}
