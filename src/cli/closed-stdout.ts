/** Commands whose job is printing a result (not a proxy, a server or a demo that keeps running). */
const PRINTING_COMMANDS = new Set(['pretty', 'report', 'explain', 'ca', 'check', 'har']);
let installed = false;

/**
 * A reader that stops early (`pretty | head -1`, `explain --all | head`) closes our stdout. For a
 * command whose job is printing, that ends the job: it exits quietly, as `cat` and `grep` do,
 * instead of dying on the unhandled EPIPE with a stack trace. Any other stdout error is said once.
 */
export function endQuietlyWhenStdoutCloses(command: string): void {
  if (!PRINTING_COMMANDS.has(command) || installed) return;
  installed = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    process.stderr.write(`appinsights-auth-proxy: cannot write to stdout (${err.code ?? err.message})\n`);
    process.exit(1);
  });
}

/**
 * stderr is where the proxy says that an output failed (a log file on a full disk, stdout's
 * reader gone). When stderr's own reader is gone too (`start 2>&1 | head`), there is nowhere left
 * to say anything: its errors are dropped rather than ending the process, which still relays.
 */
export function surviveClosedStderr(): void {
  if (process.stderr.listenerCount('error') === 0) process.stderr.on('error', () => undefined);
}
