import { existsSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { convertLogFileToHar } from '../../sinks/har-from-log';
import { UsageError } from '../usage-error';

function harOptions(cli: Argv) {
  return cli
    .positional('logfile', { type: 'string', demandOption: true, describe: 'JSON log written by start' })
    .option('out', { type: 'string', demandOption: true, describe: 'HAR file to write' });
}

type HarArgs = Awaited<ReturnType<typeof harOptions>['argv']>;

export const harCommand: CommandModule<object, HarArgs> = {
  command: 'har <logfile>',
  describe: 'Export the exchanges of a log as HAR 1.2 (Chrome DevTools, Fiddler), findings in _findings',
  builder: (cli) => harOptions(cli) as unknown as Argv<HarArgs>,
  handler: async (args) => {
    const file = String(args.logfile);
    if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
    const result = await convertLogFileToHar(file, args.out);
    const skipped = result.unparsed
      ? `; ${result.unparsed} line${result.unparsed === 1 ? '' : 's'} could not be parsed`
      : '';
    process.stderr.write(`har: ${result.entries} exchanges written to ${args.out}${skipped}\n`);
    (args as { exitCode?: number }).exitCode = 0;
  },
};
