import type { Writable } from 'node:stream';
import type { ExchangeLogLine } from '../model/log-line';
import type { TrafficLogLine } from '../model/traffic-line';
import { type ExchangeSink, levelOf } from './exchange-sink';
import { ReportBuilder } from './report';
import { formatReportText } from './report-format';

/** Counts every exchange while `start` runs, and prints the report's text when it stops. */
export class SummarySink implements ExchangeSink {
  private readonly builder = new ReportBuilder();

  constructor(private readonly out: Writable = process.stderr) {}

  write(line: ExchangeLogLine): void {
    this.builder.addRecord({
      ...line,
      level: levelOf(line.exchange, line.findings),
      time: line.exchange.startedAt,
    });
  }

  writeTraffic(line: TrafficLogLine): void {
    const level = line.traffic.state === 'fired' ? 'warn' : 'info';
    this.builder.addRecord({ ...line, level, time: new Date().toISOString() });
  }

  close(): Promise<void> {
    const text = `\n── appinsights-auth-proxy summary ──\n${formatReportText(this.builder.result())}`;
    return new Promise((resolve) => {
      if (!this.out.write(text)) this.out.once('drain', resolve);
      else resolve();
    });
  }
}
