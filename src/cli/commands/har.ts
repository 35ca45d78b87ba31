import { createReadStream, createWriteStream, existsSync, openSync, readSync, closeSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { convertLogFileToHar } from '../../sinks/har-from-log';
import { looksLikeHar, repairHar } from '../../sinks/har-repair';
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

function firstBytes(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64);
    return buf.subarray(0, readSync(fd, buf, 0, 64, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

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
    const file = String(args.logfile);
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    // Checked (and made) only once there is something to write into it.
    const out = writableFile('out')(args.out)!;
    if (looksLikeHar(firstBytes(file))) {
      let repaired;
      try {
        repaired = await repairHar(createReadStream(file), createWriteStream(out));
      } catch (err) {
        throw writeFailure(err, out) ?? new UsageError(`${file}: ${(err as Error).message}`);
      }
      const dropped = repaired.dropped ? `; ${repaired.dropped} torn line(s) dropped` : '';
      const state = repaired.wasComplete ? 'complete HAR' : 'unfinished HAR repaired';
      process.stderr.write(`har: ${state}: ${repaired.entries} exchanges written to ${out}${dropped}\n`);
      (args as { exitCode?: number }).exitCode = 0;
      return;
    }
    const result = await convertLogFileToHar(file, out).catch((err: unknown) => {
      throw writeFailure(err, out) ?? err;
    });
    const skipped = result.unparsed
      ? `; ${result.unparsed} line${result.unparsed === 1 ? '' : 's'} could not be parsed`
      : '';
    process.stderr.write(`har: ${result.entries} exchanges written to ${out}${skipped}\n`);
    (args as { exitCode?: number }).exitCode = 0;
  },
};
