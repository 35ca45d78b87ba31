import { createReadStream, createWriteStream } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { convertLogToHar } from '../../sinks/har-from-log';
import { looksLikeHar, repairHar } from '../../sinks/har-repair';
import { logInput, peekStart, sameFile } from '../log-input';
import { writableFile } from '../start-flags';
import { UsageError } from '../usage-error';

function harOptions(cli: Argv) {
  return cli
    .positional('logfile', {
      type: 'string',
      demandOption: true,
      describe: 'JSON log written by start, or an unfinished --har file to repair',
    })
    .option('out', { type: 'string', demandOption: true, describe: 'HAR file to write' });
}

type HarArgs = Awaited<ReturnType<typeof harOptions>['argv']>;

/** A failure to write the HAR (a full disk): named as such, not as a problem with the log. */
function writeFailure(err: unknown, out: string): Error | undefined {
  const { syscall, code } = err as NodeJS.ErrnoException;
  if (syscall !== 'write' && syscall !== 'open' && syscall !== 'close') return undefined;
  return new Error(
    `--out ${out}: cannot write the HAR (${code ?? (err as Error).message}); what was written is incomplete`,
  );
}

export const harCommand: CommandModule<object, HarArgs> = {
  command: 'har <logfile>',
  describe:
    'Export the exchanges of a log as HAR 1.2 (Chrome DevTools, Fiddler), findings in _findings; or repair a --har file left unfinished by a crash',
  builder: (cli) => harOptions(cli) as unknown as Argv<HarArgs>,
  handler: async (args) => {
    const file = logInput(String(args.logfile));
    // Writing the HAR empties its file first: never the log being read.
    if (sameFile(file, String(args.out)))
      throw new UsageError(`--out ${String(args.out)} is the log being read: write the HAR to another file`);
    // Checked (and made) only once there is something to write into it.
    const out = writableFile('out')(args.out)!;
    const { start, input } = await peekStart(createReadStream(file));
    if (looksLikeHar(start)) {
      let repaired;
      try {
        repaired = await repairHar(input, createWriteStream(out));
      } catch (err) {
        throw writeFailure(err, out) ?? new UsageError(`${file}: ${(err as Error).message}`);
      }
      const dropped = repaired.dropped ? `; ${repaired.dropped} torn line(s) dropped` : '';
      const state = repaired.wasComplete ? 'complete HAR' : 'unfinished HAR repaired';
      process.stderr.write(`har: ${state}: ${repaired.entries} exchanges written to ${out}${dropped}\n`);
      (args as { exitCode?: number }).exitCode = 0;
      return;
    }
    const result = await convertLogToHar(input, createWriteStream(out)).catch((err: unknown) => {
      throw writeFailure(err, out) ?? err;
    });
    const skipped = result.unparsed
      ? `; ${result.unparsed} line${result.unparsed === 1 ? '' : 's'} could not be parsed`
      : '';
    process.stderr.write(`har: ${result.entries} exchanges written to ${out}${skipped}\n`);
    (args as { exitCode?: number }).exitCode = 0;
  },
};
