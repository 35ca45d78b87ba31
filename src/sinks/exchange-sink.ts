import type { Logger } from 'pino';
import type { Exchange } from '../model/exchange';
import type { Finding } from '../model/finding';
import type { Analysis, ExchangeLogLine } from '../model/log-line';

/** The log level of an exchange: the worst finding, or the failure itself. */
export function levelOf(exchange: Exchange, findings: Finding[]): 'info' | 'warn' | 'error' {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  if (exchange.error && exchange.error.kind !== 'CLIENT_ABORTED') return 'error';
  if (findings.some((f) => f.severity === 'warning')) return 'warn';
  return 'info';
}

/** Something that takes finished log lines: the annotated log, a HAR writer, the summary... */
export interface ExchangeSink {
  write(line: ExchangeLogLine): void;
  close?(): Promise<void> | void;
}

/** The annotated log: one pino line per exchange with `exchange`, `analysis` and `findings`. */
export function logSink(logger: Logger): ExchangeSink {
  return {
    write(line) {
      const payload: { exchange: Exchange; analysis?: Analysis; findings: Finding[] } = {
        exchange: line.exchange,
        findings: line.findings,
      };
      if (line.analysis) payload.analysis = line.analysis;
      logger[levelOf(line.exchange, line.findings)](payload, line.msg);
    },
  };
}
