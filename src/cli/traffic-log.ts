import type { Logger } from 'pino';
import type { ConnectionString } from '../ingestion/connection-string';
import { cloudOfAudience, TrafficWatch } from '../diagnosis/traffic';
import type { TrafficLogLine } from '../model/traffic-line';
import type { ExchangeSink } from '../sinks/exchange-sink';

export interface TrafficLogOptions {
  logger: Logger;
  /** Sinks that also want the lines (HAR, summary); the log gets them through the logger. */
  sinks: ExchangeSink[];
  connectionStrings: ConnectionString[];
  expectEntra: boolean;
  quietAfterSeconds: number;
  /** false (relay only, --analysis false): nothing is watched. */
  enabled?: boolean;
  /** The clock (tests pass their own). */
  now?: () => number;
}

export interface TrafficLog {
  /** Goes last in the pipeline's sinks, so a finding's line follows the exchange that caused it. */
  sink: ExchangeSink;
  /** A tunnel (not intercepted) to this host opened and closed. */
  connection(at: number, host?: string): void;
  stop(): void;
}

/**
 * Wires the findings across exchanges into the proxy: every logged exchange feeds the watch,
 * a one-second timer lets absences fire, and each fired or cleared cause becomes its own log line.
 */
export function startTrafficLog(options: TrafficLogOptions): TrafficLog {
  const now = options.now ?? Date.now;
  if (options.enabled === false)
    return { sink: { write: () => undefined }, connection: () => undefined, stop: () => undefined };
  const watch = new TrafficWatch(now(), {
    quietAfterSeconds: options.quietAfterSeconds,
    connectionStringGiven: options.connectionStrings.length > 0,
    connectionStringClouds: [
      ...new Set(
        options.connectionStrings
          .map((cs) => cloudOfAudience(cs.audience))
          .filter((c): c is NonNullable<typeof c> => c !== undefined),
      ),
    ],
    expectEntra: options.expectEntra,
  });
  const emit = (lines: TrafficLogLine[]) => {
    for (const line of lines) {
      const level =
        line.traffic.state === 'cleared' ? 'info' : line.findings[0]?.severity === 'error' ? 'error' : 'warn';
      options.logger[level]({ traffic: line.traffic, findings: line.findings }, line.msg);
      for (const sink of options.sinks) sink.writeTraffic?.(line);
    }
  };
  const timer = setInterval(() => emit(watch.tick(now())), 1000);
  timer.unref();
  return {
    sink: { write: (line) => emit(watch.exchange(line, now())) },
    connection: (at, host) => emit(watch.connection(at, host)),
    stop: () => clearInterval(timer),
  };
}
