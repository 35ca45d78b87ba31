import { spawn } from 'node:child_process';
import type { Argv, CommandModule } from 'yargs';
import { logInput } from '../log-input';
import { loadedSummary, logFileSource, serveLogFile } from '../../inspector/file-inspector';
import { DEFAULT_UI_HISTORY } from '../../inspector/session-history';
import { wholeNumber } from '../start-flags';
import { UsageError } from '../usage-error';

function inspectOptions(cli: Argv) {
  return (
    cli
      .positional('logfile', { type: 'string', demandOption: true, describe: 'JSON log written by start' })
      // Numbers are read as text and checked (yargs' number type turns "abc" into NaN).
      .option('port', {
        type: 'string',
        default: '8890',
        describe: 'Port on 127.0.0.1 for the page (0: any free port)',
        coerce: wholeNumber('port', 0, 65535),
      })
      .option('ui-history', {
        type: 'string',
        default: String(DEFAULT_UI_HISTORY),
        describe: 'Show the last N exchanges of the log',
        coerce: wholeNumber('ui-history', 1, 1_000_000),
      })
      .option('open', {
        type: 'boolean',
        default: true,
        describe: 'Open a browser (when there is a desktop); the URL is printed either way',
      })
  );
}

type InspectArgs = Awaited<ReturnType<typeof inspectOptions>['argv']>;

/** The desktop's "open this URL" command, when there is a desktop to open it on. */
function browserOpener(): [string, string[]] | undefined {
  if (process.platform === 'darwin') return ['open', []];
  if (process.platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return ['xdg-open', []];
  return undefined;
}

function openBrowser(url: string): void {
  const opener = browserOpener();
  if (!opener) return;
  const child = spawn(opener[0], [...opener[1], url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined); // no opener installed: the printed URL is enough
  child.unref();
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <logfile>',
  describe: 'Open a saved log in the inspector page (read-only), e.g. from kubectl logs',
  builder: (cli) => inspectOptions(cli) as unknown as Argv<InspectArgs>,
  handler: async (args) => {
    const file = logInput(String(args.logfile));
    const loaded = await logFileSource(file, args['ui-history']);
    const { source } = loaded;
    let served: Awaited<ReturnType<typeof serveLogFile>>;
    try {
      served = await serveLogFile(source, '127.0.0.1', args.port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new UsageError(`port ${args.port} is already in use (--port N, or --port 0 for any)`);
      throw err;
    }
    process.stdout.write(
      `inspect: ${loadedSummary(file, loaded)}\n` + `inspect: open ${served.url} (Ctrl-C to stop)\n`,
    );
    if (args.open && process.stdout.isTTY) openBrowser(served.url);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    source.feed.close();
    served.server.closeAllConnections();
    await new Promise<void>((resolve) => served.server.close(() => resolve()));
    (args as { exitCode?: number }).exitCode = 0;
  },
};
