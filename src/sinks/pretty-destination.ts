import { Writable } from 'node:stream';
import { destinationFailed, MAX_BUFFERED } from './logger';
import { prettyTo, type PrettyStreamOptions } from './pretty-stream';

/**
 * `start --log-format pretty`: the readable view on stdout as pino's destination, bounded and
 * never fatal. pino writes without waiting, so a view on a pipe nobody reads (`| less`, paused)
 * would hold every line in memory, and a reader that went away (`| head`) raises EPIPE on stdout,
 * which ends the process when nobody listens for it. As with the JSON destinations (logger.ts):
 * past `maxWaiting` bytes, lines are dropped until the reader catches up; after an error, every
 * line is dropped. Each is said once on stderr, and the proxy goes on relaying.
 */
export function prettyDestination(
  out: Writable,
  options: PrettyStreamOptions,
  maxWaiting = MAX_BUFFERED,
  say: (text: string) => void = (text) => process.stderr.write(text),
): Writable {
  const view = prettyTo(out, options);
  let failed = false;
  let saidBehind = false;
  out.on('error', (err: Error) => {
    if (failed) return;
    failed = true;
    view.unpipe(out);
    say(destinationFailed('stdout', err));
  });
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (failed) return done();
      if (view.writableLength + view.readableLength + out.writableLength > maxWaiting) {
        if (!saidBehind) {
          saidBehind = true;
          say(
            'appinsights-auth-proxy: stdout is not being read fast enough; log lines are dropped from the readable view while it is behind (--log-file keeps them all)\n',
          );
        }
        return done();
      }
      view.write(chunk);
      done();
    },
  });
}
