import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { isRedactedOutput, redactForOutput } from '../ingestion/redact-output';
import { makeDirectories } from './directories';
import { escapeC1InJson } from './terminal-text';

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
  /**
   * Writes out buffered lines (at shutdown), in order: writes already in flight finish first
   * (bounded wait), then what is left goes out synchronously.
   */
  flush(): Promise<void>;
  /** Bytes of log output dropped because a destination could not keep up (bounded memory). */
  droppedBytes(): number;
}

/**
 * Bounds for the asynchronous destinations: big writes (fewer syscalls for large lines), and a
 * ceiling on what may wait in memory when the disk or the pipe is slower than the traffic.
 * Past the ceiling, output is dropped and counted rather than growing without limit.
 */
const MAX_WRITE = 1 << 20;
export const MAX_BUFFERED = 8 << 20;
/**
 * Lines are gathered into writes of at least this size (one syscall for many lines under load)
 * and flushed at least every FLUSH_MS, so a quiet proxy's lines still appear at once.
 */
const MIN_WRITE = 64 << 10;
const FLUSH_MS = 100;

/** What stderr says, once, when a log destination fails while the proxy runs. */
export function destinationFailed(where: string, err: Error): string {
  return `appinsights-auth-proxy: cannot write the log to ${where} (${err.message}); its lines are dropped from now on, the proxy goes on relaying\n`;
}

/**
 * pino on asynchronous destinations (the relay never waits for a log write), JSON by default.
 * The file, when given, always gets JSON so `report`/`har` can read it back.
 */
export function createLogger(options: LoggerOptions): AppLogger {
  const level = options.level ?? 'info';
  const streams: pino.StreamEntry[] = [];
  const flushables: { flushSync?: () => void; flush?: (cb?: (err?: Error) => void) => void }[] = [];
  let dropped = 0;
  /** Destinations that failed: skipped by the fan-out and the shutdown flush. */
  const failed = new Set<object>();
  const bounded = (dest: number | string, extra: Record<string, unknown> = {}) => {
    const stream = pino.destination({
      dest,
      sync: false,
      minLength: MIN_WRITE,
      maxWrite: MAX_WRITE,
      maxLength: MAX_BUFFERED,
      // Each line reaches every file as one Buffer encoded once (see fanOut), not as a string
      // that sonic-boom would measure and encode again per destination.
      contentMode: 'buffer',
      ...extra,
    } as any);
    (stream as unknown as NodeJS.EventEmitter).on('drop', (data: string) => {
      dropped += Buffer.byteLength(data);
    });
    // A destination that fails once running (a full disk, a file system gone read-only) must not
    // take the proxy down: it is said once on stderr and gets no more lines; the others go on.
    (stream as unknown as NodeJS.EventEmitter).on('error', (err: Error) => {
      if (failed.has(stream)) return;
      failed.add(stream);
      process.stderr.write(destinationFailed(dest === 1 ? 'stdout' : String(dest), err));
    });
    flushables.push(stream);
    return stream;
  };
  const files: Writable[] = [];
  if (options.destination) {
    streams.push({ level: level as pino.Level, stream: options.destination });
  } else if (options.format === 'pretty' && options.prettyStream) {
    streams.push({ level: level as pino.Level, stream: options.prettyStream() });
  } else {
    files.push(bounded(1) as unknown as Writable);
  }
  if (options.file) {
    endTornLine(options.file);
    try {
      makeDirectories(path.dirname(path.resolve(options.file)));
    } catch {
      /* the open fails next, and the destination's error says why */
    }
    files.push(bounded(options.file) as unknown as Writable);
  }
  if (files.length > 0)
    streams.push({
      level: level as pino.Level,
      stream: fanOut(files, failed, (bytes) => (dropped += bytes)),
    });
  const flushTimer = setInterval(() => {
    for (const f of flushables) {
      if (failed.has(f)) continue;
      try {
        // No callback: with one, sonic-boom waits for the write and then fsyncs the file (and adds
        // a drain listener) every 100 ms; readers see the bytes once written, without the fsync.
        f.flush?.();
      } catch {
        /* not open yet: the next tick flushes */
      }
    }
  }, FLUSH_MS);
  flushTimer.unref();
  const logger = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Every line, whoever logs it (exchanges, tunnels, notices, routed console output), is
      // masked by the one output redaction before it is written to stdout or the file.
      hooks: {
        logMethod(args, method) {
          return method.apply(this, args.map(redactArgument) as Parameters<typeof method>);
        },
        streamWrite: escapeC1InJson,
      },
    },
    pino.multistream(streams),
  );
  return {
    logger,
    async flush() {
      clearInterval(flushTimer);
      // A synchronous write now could land before an asynchronous one still in the thread pool
      // (seen in CI under load: a short last line before a 1.2 MB one), so let those finish.
      const working = flushables.filter((f) => !failed.has(f));
      await Promise.all(working.map((f) => writesSettled(f, SETTLE_MS)));
      for (const f of working) {
        try {
          f.flushSync?.();
        } catch {
          /* not ready yet (nothing written): nothing to flush */
        }
      }
    },
    droppedBytes: () => dropped,
  };
}

/** At shutdown, how long to wait for a destination's writes in flight (a stuck pipe must not hang). */
const SETTLE_MS = 5000;

/** Resolves once the destination has written everything it holds (sonic-boom's flush), or at `ms`. */
function writesSettled(f: { flush?: (cb?: (err?: Error) => void) => void }, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      if (f.flush) f.flush(done);
      else done();
    } catch {
      done(); // not open yet: nothing was written, nothing is in flight
    }
  });
}

/**
 * One stream for the JSON destinations (stdout, the file): the line is encoded to bytes once and
 * the same Buffer goes to each. Every destination takes every line pino lets through, so the
 * multistream's per-stream levels have nothing to choose here.
 */
function fanOut(
  destinations: Writable[],
  failed: ReadonlySet<object>,
  onDropped: (bytes: number) => void,
): pino.DestinationStream {
  return {
    write(line: string) {
      const bytes = Buffer.from(line, 'utf8');
      for (const destination of destinations) {
        if (failed.has(destination)) onDropped(bytes.length);
        else destination.write(bytes);
      }
    },
  };
}

/**
 * A log file the last run left with a torn line (killed mid-write) gets a newline first, so the
 * first new line is never glued to the torn one: every line after it parses.
 */
function endTornLine(file: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r+');
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) writeSync(fd, '\n', size);
  } catch {
    /* no file yet (or unreadable: pino reports that when it opens it) */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function redactArgument(arg: unknown): unknown {
  if (isRedactedOutput(arg)) return arg; // masked by its sink already (the same function)
  if (arg instanceof Error) return redactForOutput({ err: arg.message });
  return typeof arg === 'string' || (arg && typeof arg === 'object') ? redactForOutput(arg) : arg;
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
