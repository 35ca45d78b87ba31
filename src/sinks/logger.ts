import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  format: LogFormat;
  /** Also write JSON lines to this file. */
  file?: string;
  level?: string;
  /** Write here instead of stdout (tests). */
  destination?: Writable;
  /** Turns JSON lines into the readable view (src/sinks/pretty); required for format "pretty". */
  prettyStream?: () => Writable;
}

export interface AppLogger {
  logger: Logger;
  /** Flush buffered lines synchronously (before exit). */
  flush(): void;
}

/**
 * pino on asynchronous destinations (the relay never waits for a log write), JSON by default.
 * The file, when given, always gets JSON so `report`/`har` can read it back.
 */
export function createLogger(options: LoggerOptions): AppLogger {
  const level = options.level ?? 'info';
  const streams: pino.StreamEntry[] = [];
  const flushables: { flushSync?: () => void }[] = [];
  if (options.destination) {
    streams.push({ level: level as pino.Level, stream: options.destination });
  } else if (options.format === 'pretty' && options.prettyStream) {
    streams.push({ level: level as pino.Level, stream: options.prettyStream() });
  } else {
    const stdout = pino.destination({ dest: 1, sync: false, minLength: 0 });
    flushables.push(stdout);
    streams.push({ level: level as pino.Level, stream: stdout });
  }
  if (options.file) {
    const file = pino.destination({ dest: options.file, sync: false, mkdir: true });
    flushables.push(file);
    streams.push({ level: level as pino.Level, stream: file });
  }
  const logger = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(streams),
  );
  return {
    logger,
    flush() {
      for (const f of flushables) {
        try {
          f.flushSync?.();
        } catch {
          /* not ready yet (nothing written): nothing to flush */
        }
      }
    },
  };
}

/** Routes a library's console.* output into the log, so stdout carries only log lines. */
export function routeConsole(logger: Logger): () => void {
  const saved = { ...console };
  const to =
    (level: 'debug' | 'warn') =>
    (...args: unknown[]) =>
      logger[level](
        { source: 'console' },
        args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '),
      );
  console.log = to('debug');
  console.info = to('debug');
  console.debug = to('debug');
  console.warn = to('warn');
  console.error = to('debug');
  return () => Object.assign(console, saved);
}
