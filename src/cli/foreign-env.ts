import type { MiddlewareFunction } from 'yargs';

const PREFIX = 'AIPROXY_';

/** `proxy-auth`, `proxyAuth` and `proxy_auth` are one flag: compare them in one spelling. */
function plain(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/**
 * An AIPROXY_<FLAG> variable is a setting for the commands that have that flag. The environment
 * is shared (the image sets AIPROXY_CA_DIR for every command; a compose file gives its init step
 * and the proxy one environment), so a variable for another command's flag is left alone instead
 * of stopping this one with "Unknown argument: caDir". Flags typed on the command line are still
 * checked strictly.
 */
export function dropForeignEnv(
  args: Record<string, unknown>,
  knownFlags: readonly string[],
  env: NodeJS.ProcessEnv,
): void {
  const known = new Set(knownFlags.map(plain));
  for (const name of Object.keys(env)) {
    if (!name.startsWith(PREFIX)) continue;
    // yargs reads AIPROXY_A__B as the nested key a.b: only its first part is a flag name
    const flag = plain(name.slice(PREFIX.length).split('__')[0] ?? '');
    if (flag === '' || known.has(flag)) continue;
    for (const key of Object.keys(args)) if (plain(key) === flag) delete args[key];
  }
}

/**
 * dropForeignEnv() as a yargs middleware before validation: yargs passes the command's own
 * instance as a second argument (not in its typings), whose options name that command's flags.
 * Keys also given on the command line (`argv`) are kept, so strict mode still refuses them.
 */
export function foreignEnvMiddleware(argv: readonly string[]): MiddlewareFunction {
  const typed = new Set(
    argv.filter((w) => w.startsWith('--')).map((w) => plain(w.slice(2).split('=')[0] ?? '')),
  );
  const middleware = (
    args: Record<string, unknown>,
    cli: { getOptions(): { key: Record<string, unknown> } },
  ) => {
    const known = Object.keys(cli.getOptions().key);
    dropForeignEnv(args, [...known, ...typed], process.env);
  };
  return middleware as unknown as MiddlewareFunction;
}
