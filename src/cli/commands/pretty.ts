import { finished } from 'node:stream/promises';
import type { Argv, CommandModule } from 'yargs';
import { stdinLog } from '../log-input';
import { prettyTo, wantsColour } from '../../sinks/pretty-stream';

function prettyOptions(cli: Argv) {
  return cli
    .option('only-findings', { type: 'boolean', default: false, describe: 'Hide healthy exchanges' })
    .option('color', { type: 'boolean', describe: 'Colour by outcome (default: when stdout is a terminal)' })
    .option('repeat-guidance', {
      type: 'boolean',
      default: false,
      describe: 'Print fix steps for every occurrence, not only the first',
    });
}

type PrettyArgs = Awaited<ReturnType<typeof prettyOptions>['argv']>;

export const prettyCommand: CommandModule<object, PrettyArgs> = {
  command: 'pretty',
  describe:
    'Turn the JSON log on stdin into the readable view (tail -f proxy.log | appinsights-auth-proxy pretty)',
  builder: (cli) => prettyOptions(cli) as unknown as Argv<PrettyArgs>,
  handler: async (args) => {
    const view = prettyTo(process.stdout, {
      color: wantsColour(process.stdout, args.color),
      onlyFindings: args['only-findings'],
      repeatGuidance: args['repeat-guidance'],
    });
    stdinLog().pipe(view);
    await finished(view);
    (args as { exitCode?: number }).exitCode = 0;
  },
};
