import type { MiddlewareFunction } from 'yargs';
import { UsageError } from './usage-error';

const TRUE_OR_FALSE = /^(true|false)$/;

/**
 * yargs reads a boolean flag's text "true" as true and any other text as false, so
 * AIPROXY_EXPECT_ENTRA=1, AIPROXY_UPSTREAM_INSECURE=yes or --summary=TRUE silently turned the
 * flag off. Refuses such a value (from the environment or as --flag=value) with exit code 2.
 */
export function checkBooleanValues(booleans: string[], argv: string[], env: NodeJS.ProcessEnv): void {
  for (const flag of booleans) {
    const name = `AIPROXY_${flag.toUpperCase().replace(/-/g, '_')}`;
    const fromEnv = env[name];
    if (fromEnv !== undefined && !TRUE_OR_FALSE.test(fromEnv)) {
      throw new UsageError(`${name} "${fromEnv}": expected true or false`);
    }
    for (const word of argv.filter((w) => w.startsWith(`--${flag}=`))) {
      const value = word.slice(flag.length + 3);
      if (!TRUE_OR_FALSE.test(value)) throw new UsageError(`--${flag} "${value}": expected true or false`);
    }
  }
}

/**
 * checkBooleanValues() as a yargs middleware: yargs calls it with the command's own instance as
 * a second argument (not in its typings), whose options name that command's boolean flags.
 */
export function booleanValuesMiddleware(argv: string[]): MiddlewareFunction {
  const middleware = (_args: unknown, cli: { getOptions(): { boolean: string[] } }) =>
    checkBooleanValues(cli.getOptions().boolean, argv, process.env);
  return middleware as unknown as MiddlewareFunction;
}
