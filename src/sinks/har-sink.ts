import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { ExchangeLogLine } from '../model/log-line';
import type { TrafficLogLine } from '../model/traffic-line';
import { type ExchangeSink, type LogBodies, withBodiesAsLogged } from './exchange-sink';
import { HarText } from './har';
import { makeDirectories } from './directories';

/**
 * `--har FILE`: each exchange is appended to the file as it is logged (nothing held in memory),
 * and the document is closed when the proxy stops. Until then the file is an unfinished HAR:
 * one entry per line, so after a crash `har FILE --out FIXED` recovers every whole entry
 * (har-repair.ts). Bodies follow `--log-bodies`, like the log.
 */
export class HarFileSink implements ExchangeSink {
  private readonly out: WriteStream;
  private readonly har = new HarText();
  private failed?: Error;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly bodies: LogBodies = 'failures',
  ) {
    makeDirectories(path.dirname(path.resolve(file)));
    this.out = createWriteStream(file, { encoding: 'utf8' });
    this.out.on('error', (err) => {
      this.failed = err; // a full disk must not stop the proxy; close() reports it
    });
    this.out.write(this.har.head());
  }

  write(line: ExchangeLogLine): void {
    if (this.closed || this.failed) return;
    this.out.write(this.har.entry(withBodiesAsLogged(line, this.bodies)));
  }

  writeTraffic(line: TrafficLogLine): void {
    if (line.traffic.state === 'fired') this.har.traffic(line.findings);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.out.end(this.har.tail(), () => resolve());
      this.out.once('error', () => resolve());
    });
    // Shutdown must go on: say it rather than throw.
    if (this.failed)
      process.stderr.write(`appinsights-auth-proxy: --har ${this.file}: ${this.failed.message}\n`);
  }

  get entries(): number {
    return this.har.entries;
  }
}
