import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { runCheck } from '../../check/run-check';
import { scrub, stepText, verdictText } from '../../check/print';
import type { CredentialKind } from '../../check/types';
import { UsageError } from '../usage-error';
import { withoutCredentials } from '../../ingestion/redact';
import { checkProxyCredentials, MAX_TIMER_MS, singleString, wholeNumber } from '../start-flags';

const CREDENTIALS = [
  'default',
  'managed-identity',
  'workload-identity',
  'client-secret',
  'azure-cli',
  'none',
] as const satisfies readonly CredentialKind[];

/** Proxy variables the identity library would obey on its own: --via is the only way through a proxy here. */
const PROXY_VARIABLES = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'ALL_PROXY',
  'all_proxy',
  'NO_PROXY',
  'no_proxy',
];

function checkOptions(cli: Argv) {
  return cli
    .option('connection-string', {
      type: 'string',
      describe: 'The connection string to test (default: APPLICATIONINSIGHTS_CONNECTION_STRING)',
      coerce: singleString('connection-string'),
    })
    .option('credential', {
      choices: CREDENTIALS,
      default: 'default' as CredentialKind,
      describe: 'How to get the token (@azure/identity)',
    })
    .option('tenant-id', {
      type: 'string',
      describe: 'Tenant of the app registration (default: AZURE_TENANT_ID)',
      coerce: singleString('tenant-id'),
    })
    .option('client-id', {
      type: 'string',
      describe: 'App registration, or user-assigned managed identity (default: AZURE_CLIENT_ID)',
      coerce: singleString('client-id'),
    })
    .option('client-secret-env', {
      type: 'string',
      default: 'AZURE_CLIENT_SECRET',
      describe: 'Environment variable holding the client secret (never printed)',
      coerce: (value: unknown) => singleString('client-secret-env')(value) ?? 'AZURE_CLIENT_SECRET',
    })
    .option('client-secret-file', {
      type: 'string',
      describe: 'File holding the client secret (never printed)',
      coerce: singleString('client-secret-file'),
    })
    .option('client-secret', { type: 'string', hidden: true })
    .option('authority-host', {
      type: 'string',
      describe: 'Entra ID host, e.g. https://login.microsoftonline.us',
      coerce: singleString('authority-host'),
    })
    .option('via', {
      type: 'string',
      describe: 'Go through this HTTP proxy (http://[user:pass@]host:port), this one included',
      coerce: singleString('via'),
    })
    .option('probe-local-auth', {
      type: 'boolean',
      default: false,
      describe: 'Also send one record to v2/track without a token: is local authentication disabled?',
    })
    .option('json', { type: 'boolean', default: false, describe: 'One JSON line per step, then the verdict' })
    .option('timeout', {
      type: 'string',
      default: '15000',
      describe: 'Milliseconds each network step may take',
      // Checked as text: 1e99 passed as a number and Node's timers turned it into 1 ms.
      coerce: wholeNumber('timeout', 1, MAX_TIMER_MS),
    })
    .example(
      'AZURE_CLIENT_SECRET=… $0 check --credential client-secret --tenant-id T --client-id C',
      'prove an app registration can send telemetry',
    )
    .epilog(
      'Exit codes: 0 all good, 1 warnings, 2 usage error, 3 blocked. Through the proxy: --via http://127.0.0.1:8888 ' +
        'with NODE_EXTRA_CA_CERTS=<its certs/ca.pem>.',
    );
}

type CheckArgs = Awaited<ReturnType<typeof checkOptions>['argv']>;

/** What a shell can export: a secret (Entra secrets hold `~` and `.`) never passes for one. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function readSecret(args: CheckArgs): string | undefined {
  if (args['client-secret'] !== undefined) {
    // Do not echo it: it is in the shell history already. From the environment (AIPROXY_<FLAG>,
    // as every flag can be), the refusal must not blame the command line.
    const fromEnv = process.env.AIPROXY_CLIENT_SECRET === args['client-secret'];
    throw new UsageError(
      (fromEnv
        ? 'AIPROXY_CLIENT_SECRET is not read (a flag that only exists to be refused): '
        : '--client-secret is not accepted on the command line (it would show in shell history and ps): ') +
        'put the secret in an environment variable named by --client-secret-env (default AZURE_CLIENT_SECRET; --client-secret-env AIPROXY_CLIENT_SECRET reads that one) or in a file (--client-secret-file FILE)',
    );
  }
  if (args['client-secret-file']) {
    try {
      return readFileSync(args['client-secret-file'], 'utf8').trim();
    } catch (err) {
      // The value is not echoed: a secret pasted in place of the file name would land in the output.
      throw new UsageError(
        `--client-secret-file: cannot read the file it names (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}; the name is not shown, in case it is the secret itself): give the path of a file that holds the secret`,
      );
    }
  }
  const name = args['client-secret-env'];
  if (!ENV_NAME.test(name)) {
    throw new UsageError(
      '--client-secret-env takes the NAME of an environment variable (letters, digits and _), not the secret itself; what was given is not shown',
    );
  }
  const value = process.env[name];
  return value ? value.trim() : undefined;
}

/**
 * client-secret needs all three. Said before any step runs, naming what is missing and where it
 * was looked for: found at the token step, it came after the network steps and left `--json`
 * without its verdict line.
 */
function checkClientSecretInputs(
  args: CheckArgs,
  tenantId?: string,
  clientId?: string,
  secret?: string,
): void {
  if (args.credential !== 'client-secret') return;
  const secretSource = args['client-secret-file']
    ? `--client-secret-file ${args['client-secret-file']} is empty` // a file that exists: a path
    : `${args['client-secret-env']} is not set`;
  const missing = [
    ...(tenantId ? [] : ['--tenant-id (or AZURE_TENANT_ID)']),
    ...(clientId ? [] : ['--client-id (or AZURE_CLIENT_ID)']),
    ...(secret ? [] : [`a secret (${secretSource})`]),
  ];
  if (missing.length > 0) throw new UsageError(`--credential client-secret needs ${missing.join(', ')}`);
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'Prove a configuration now: connection string, DNS, TCP, TLS, a token, and one test record',
  builder: (cli) => checkOptions(cli) as unknown as Argv<CheckArgs>,
  handler: async (args) => {
    const connectionString = args['connection-string'] ?? process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    if (!connectionString)
      throw new UsageError(
        'no connection string: pass --connection-string or set APPLICATIONINSIGHTS_CONNECTION_STRING',
      );
    const clientSecret = readSecret(args);
    const tenantId = args['tenant-id'] ?? process.env.AZURE_TENANT_ID;
    const clientId = args['client-id'] ?? process.env.AZURE_CLIENT_ID;
    checkClientSecretInputs(args, tenantId, clientId, clientSecret);
    if (args.via) {
      try {
        const url = new URL(args.via);
        if (url.protocol !== 'http:') throw new Error();
      } catch {
        throw new UsageError(
          `--via "${withoutCredentials(args.via)}" is not an http:// proxy URL like http://127.0.0.1:8888`,
        );
      }
      checkProxyCredentials('--via', new URL(args.via), withoutCredentials(args.via));
    }
    const ignoredProxy = PROXY_VARIABLES.filter((name) => process.env[name]);
    for (const name of PROXY_VARIABLES) delete process.env[name];
    // A proxy password in --via is a secret too.
    const secrets = [clientSecret, args.via ? decodeURIComponent(new URL(args.via).password) : undefined];
    const out = (text: string) => process.stdout.write(`${scrub(text, secrets)}\n`);
    if (ignoredProxy.length && !args.json)
      out(
        `(ignoring ${ignoredProxy.join(', ')} from the environment: --via is the only proxy this check uses)`,
      );
    const { verdict } = await runCheck(
      {
        connectionString,
        credential: args.credential,
        tenantId,
        clientId,
        clientSecret,
        authorityHost: args['authority-host'],
        via: args.via,
        probeLocalAuth: args['probe-local-auth'],
        timeoutMs: args.timeout,
      },
      (step) => out(args.json ? JSON.stringify(step) : stepText(step, false)),
    );
    out(
      args.json
        ? JSON.stringify({ verdict: verdict.verdict, exitCode: verdict.exitCode, summary: verdict.summary })
        : verdictText(verdict),
    );
    (args as { exitCode?: number }).exitCode = verdict.exitCode;
    // The identity library keeps its connections alive: a CI step or an init container must end
    // now. Only when this process is the CLI (not when main() runs inside another program).
    if (require.main?.filename.endsWith(path.join('cli', 'main.js')))
      setTimeout(() => process.exit(verdict.exitCode), 200).unref();
  },
};
