import { createReadStream, existsSync, statSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { logInput, stdinLog } from '../log-input';
import { allGuidance, lookupGuidance } from '../../diagnosis';
import { formatEntry } from '../../sinks/explain-format';
import { explainStream } from '../../sinks/explain-stream';
import { UsageError } from '../usage-error';

/** `401`, `AADSTS700016`, `700016`, `TOKEN_MISSING`: things to look up rather than files to read. */
const LOOKUP = /^(?:AADSTS\d+|\d{3,8}|[A-Za-z]+(?:_[A-Za-z0-9]+)+)$/i;

function explainOptions(cli: Argv) {
  return cli
    .positional('input', {
      type: 'string',
      describe: 'SDK/agent log file (default: stdin), or what to look up: 401, AADSTS700016, TOKEN_MISSING',
    })
    .option('all', {
      type: 'boolean',
      default: false,
      describe: 'Print every entry of the guidance catalog',
    });
}

type ExplainArgs = Awaited<ReturnType<typeof explainOptions>['argv']>;

function printEntries(query: string): number {
  const entries = lookupGuidance(query);
  if (!entries.length)
    throw new UsageError(
      `nothing in the catalog matches "${query}" (try a status like 401, an AADSTS code, or an id)`,
    );
  process.stdout.write(`${entries.map((e) => formatEntry(e).join('\n')).join('\n\n')}\n`);
  return 0;
}

export const explainCommand: CommandModule<object, ExplainArgs> = {
  command: 'explain [input]',
  describe: 'Explain SDK/agent log lines (file or stdin), or look up a status, AADSTS code or finding id',
  builder: (cli) => explainOptions(cli) as unknown as Argv<ExplainArgs>,
  handler: async (args) => {
    const set = (code: number) => ((args as { exitCode?: number }).exitCode = code);
    if (args.all) {
      process.stdout.write(
        `${allGuidance()
          .map((e) => formatEntry(e).join('\n'))
          .join('\n\n')}\n`,
      );
      return void set(0);
    }
    // `-` is stdin, as for cat and grep (yargs hands it over as '').
    const input = args.input === '' || args.input === '-' ? undefined : args.input;
    // Any path that exists is the log: a pipe too (`explain <(kubectl logs app)`, /dev/stdin),
    // and logInput() names a directory as such rather than "no such file".
    const isFile =
      input !== undefined && existsSync(input) && !(LOOKUP.test(input) && statSync(input).isDirectory());
    if (input !== undefined && !isFile) {
      if (!LOOKUP.test(input))
        throw new UsageError(`${input}: no such file, and not a status, AADSTS code or finding id`);
      return void set(printEntries(input));
    }
    const stream = isFile ? createReadStream(logInput(input!)) : stdinLog();
    const result = await explainStream(stream, process.stdout, isFile ? input : 'line');
    if (result.recognised === 0) {
      process.stderr.write(
        `explain: read ${result.lines} lines; none is an Application Insights SDK message this tool knows\n`,
      );
    }
    set(0);
  },
};
