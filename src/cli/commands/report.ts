import type { Argv, CommandModule } from 'yargs';
import { logInput } from '../log-input';
import { reportFromFile } from '../../sinks/report';
import { formatReport } from '../../sinks/report-format';

function reportOptions(cli: Argv) {
  return cli
    .positional('logfile', {
      type: 'string',
      demandOption: true,
      describe: 'JSON log written by start (--log-file or stdout)',
    })
    .option('format', { choices: ['text', 'markdown', 'json'] as const, default: 'text' as const });
}

type ReportArgs = Awaited<ReturnType<typeof reportOptions>['argv']>;

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <logfile>',
  describe: 'Summarise a log: exchanges, findings, verdict and next steps',
  builder: (cli) => reportOptions(cli) as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    const file = logInput(String(args.logfile));
    const report = await reportFromFile(file);
    process.stdout.write(formatReport(report, args.format));
    (args as { exitCode?: number }).exitCode = 0;
  },
};
