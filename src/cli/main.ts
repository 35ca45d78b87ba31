#!/usr/bin/env node
// First, before any other module loads: it bounds the young generation (see young-generation.ts).
import './young-generation';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from './usage-error';
import { booleanValuesMiddleware } from './boolean-values';
import { foreignEnvMiddleware } from './foreign-env';
import { endQuietlyWhenStdoutCloses, surviveClosedStderr } from './closed-stdout';
import { redactText } from '../ingestion/redact';
// Each command lives in its own module under ./commands and exports a yargs CommandModule.
import { startCommand } from './commands/start';
import { fakeIngestionCommand } from './commands/fake-ingestion';
import { demoCommand } from './commands/demo';
import { caCommand } from './commands/ca';
import { prettyCommand } from './commands/pretty';
import { reportCommand } from './commands/report';
import { harCommand } from './commands/har';
import { explainCommand } from './commands/explain';
import { inspectCommand } from './commands/inspect';
import { checkCommand } from './commands/check';

/** Registers every sub-command. Keep one line per command. */
function registerCommands(cli: Argv): Argv {
  return cli
    .command(startCommand)
    .command(fakeIngestionCommand)
    .command(demoCommand)
    .command(caCommand)
    .command(prettyCommand)
    .command(reportCommand)
    .command(harCommand)
    .command(explainCommand)
    .command(inspectCommand)
    .command(checkCommand);
}

/**
 * Runs the CLI. Resolves with the exit code; long-running commands (start, fake-ingestion)
 * resolve when they are asked to stop. Exit codes: 0 ok, 1 runtime failure, 2 usage/config error.
 */
export async function main(argv: string[] = hideBin(process.argv)): Promise<number> {
  surviveClosedStderr();
  let failure: Error | undefined;
  const cli = registerCommands(
    yargs(argv)
      .scriptName('appinsights-auth-proxy')
      .locale('en')
      .env('AIPROXY') // every flag also settable as AIPROXY_<FLAG>, e.g. AIPROXY_PORT=8888
      .parserConfiguration({ 'boolean-negation': false })
      // before validation, so that a refused value stops the command before its handler runs
      .middleware(booleanValuesMiddleware(argv), true)
      // a variable for another command's flag (the image's AIPROXY_CA_DIR for `pretty`) is not this one's error
      .middleware(foreignEnvMiddleware(argv), true)
      .strict()
      .exitProcess(false)
      // The command as yargs parsed it (flags may come first: `--color false pretty`).
      .middleware((args) => endQuietlyWhenStdoutCloses(String(args._[0] ?? '')))
      .help()
      .version()
      .fail((msg, err) => {
        // Throw, don't just note it: yargs would otherwise still run the handler after an invalid
        // choice (and `start --log-format xml` would start the proxy). Keep the first failure.
        failure = failure ?? err ?? new UsageError(msg);
        throw failure;
      }),
  );
  try {
    const args = await cli.parseAsync();
    if (failure) throw failure;
    if (args.help || args.version) return 0;
    const code = (args as { exitCode?: unknown }).exitCode;
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    const error = failure ?? (err as Error);
    const usage =
      error instanceof UsageError || error.name === 'YError' || error.name === 'ConnectionStringError';
    // The one output redaction here too: a message may quote a flag's value (a URL with a
    // password, a connection string), and stderr is collected like the log.
    process.stderr.write(`appinsights-auth-proxy: ${redactText(error.message)}\n`);
    if (usage) process.stderr.write('Run with --help for usage.\n');
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`appinsights-auth-proxy: ${redactText(String(err))}\n`);
      process.exitCode = 1;
    },
  );
}
