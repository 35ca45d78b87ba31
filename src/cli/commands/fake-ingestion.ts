import { readCertAndKey } from '../fake-cert-files';
import pino from 'pino';
import type { Argv, CommandModule } from 'yargs';
import {
  DEFAULT_APP,
  DEFAULT_AUDIENCES,
  DEFAULT_PUBLISHERS,
  DEFAULT_TENANT_ID,
  REASON_401,
  REASON_403,
  REASON_V2_ENTRA_ONLY,
  SCENARIO_NAMES,
  startFakeServices,
  type EntraApp,
  type FakeServices,
  type Scenario,
} from '../../fake';
import { selfCommand } from '../self-command';
import { UsageError } from '../usage-error';
import { maskIkey } from '../../ingestion/redact';
import {
  directoryPath,
  listenHost,
  MAX_TIMER_MS,
  optionalWholeNumber,
  singleString,
  wholeNumber,
} from '../start-flags';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** --ikey: GUIDs only (no connection string can hold anything else); a wrong one is quoted masked. */
function instrumentationKeys(values: string[]): string[] {
  for (const key of values) {
    if (!GUID.test(key.trim()))
      throw new UsageError(`--ikey "${maskIkey(key)}": expected an instrumentation key (a GUID)`);
  }
  return values.map((key) => key.trim());
}

/**
 * A yargs `coerce` for a repeatable flag whose values are names (publishers, audiences, tenants):
 * an empty one (`--tenant=`, an unset variable) would be a resource nobody can match, so every
 * token would be refused for a reason the fake's log could not name.
 */
function nonEmptyValues(flag: string): (values: string[]) => string[] {
  return (values) => {
    if (values.some((v) => String(v).trim() === ''))
      throw new UsageError(`--${flag}: an empty value (an unset variable?); give one or leave the flag out`);
    return values.map((v) => String(v).trim());
  };
}

/** A yargs `coerce` for a URL the SDKs follow: https only (the scenario would refuse it later, exit 1). */
function httpsUrl(flag: string): (value: unknown) => string | undefined {
  return (value) => {
    const text = singleString(flag)(value);
    if (text === undefined) return undefined;
    if (!URL.canParse(text) || new URL(text).protocol !== 'https:')
      throw new UsageError(`--${flag} "${text}": expected a full https:// URL (SDKs refuse anything else)`);
    return text;
  };
}

/** Flags of `fake-ingestion`, each also settable as AIPROXY_<FLAG> (see main.ts). */
export function fakeIngestionOptions(cli: Argv) {
  return cli
    .option('host', {
      type: 'string',
      default: '127.0.0.1',
      describe: 'Address to listen on',
      coerce: listenHost('host'),
    })
    .option('port', {
      type: 'string',
      default: 8443,
      describe: 'HTTPS port serving every Azure host name (0: any free port)',
      coerce: wholeNumber('port', 0, 65535),
    })
    .option('ca-dir', {
      type: 'string',
      default: 'certs',
      describe: "CA that issues the fake's certificates (created on first start)",
      coerce: directoryPath('ca-dir'),
    })
    .option('cert', {
      type: 'string',
      coerce: singleString('cert'),
      describe: 'PEM certificate file to serve instead of leaves from our CA (with --key)',
    })
    .option('key', {
      type: 'string',
      coerce: singleString('key'),
      describe: 'PEM private key file for --cert',
    })
    .option('auth', {
      choices: ['local', 'entra-only'] as const,
      default: 'entra-only' as const,
      describe: 'local: tokens optional; entra-only: DisableLocalAuth=true',
    })
    .option('ikey', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Instrumentation key of the resource (repeatable; none: any key is accepted)',
      coerce: instrumentationKeys,
    })
    .option('publisher', {
      type: 'string',
      array: true,
      coerce: nonEmptyValues('publisher'),
      default: [...DEFAULT_PUBLISHERS],
      describe: 'oid or appid holding Monitoring Metrics Publisher (repeatable)',
    })
    .option('audience', {
      type: 'string',
      array: true,
      coerce: nonEmptyValues('audience'),
      default: [...DEFAULT_AUDIENCES],
      describe: 'Accepted token audience (repeatable; trailing slash optional)',
    })
    .option('reason-401', {
      type: 'string',
      coerce: singleString('reason-401'),
      default: REASON_401,
      describe: 'Reason phrase of 401 answers',
    })
    .option('reason-403', {
      type: 'string',
      coerce: singleString('reason-403'),
      default: REASON_403,
      describe: 'Reason phrase of 403 answers',
    })
    .option('v2-status', {
      type: 'string',
      coerce: wholeNumber('v2-status', 100, 599),
      default: 400,
      describe: 'Status for /v2/track on an Entra-only resource (sources disagree: 400, 401 or 403)',
    })
    .option('v2-reason', {
      type: 'string',
      coerce: singleString('v2-reason'),
      default: REASON_V2_ENTRA_ONLY,
      describe: 'Reason phrase for /v2/track on an Entra-only resource',
    })
    .option('signatures', {
      choices: ['any', 'ours'] as const,
      default: 'any' as const,
      describe: 'any: token signatures are not checked; ours: only tokens from the fake Entra',
    })
    .option('scenario', {
      choices: SCENARIO_NAMES,
      default: 'ok' as const,
      describe: 'Behaviour of /track (switch at run time: POST /_fake/scenario)',
    })
    .option('retry-after', {
      type: 'string',
      coerce: optionalWholeNumber('retry-after', 0, 86_400),
      describe: 'Retry-After seconds for throttle (default 10) and error503',
    })
    .option('delay-ms', {
      type: 'string',
      describe: 'Delay of the slow scenario (default 5000)',
      coerce: optionalWholeNumber('delay-ms', 0, MAX_TIMER_MS),
    })
    .option('redirect-location', {
      type: 'string',
      describe: 'Full https URL the redirect scenario points to',
      coerce: httpsUrl('redirect-location'),
    })
    .option('tenant', {
      type: 'string',
      array: true,
      coerce: nonEmptyValues('tenant'),
      default: [DEFAULT_TENANT_ID],
      describe: 'Tenant ids the fake Entra knows ("*": all)',
    })
    .option('entra-app', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe:
        'App registration CLIENT_ID:SECRET[:OBJECT_ID[:expired]] (repeatable; replaces the default app)',
    })
    .option('unsigned-tokens', {
      type: 'boolean',
      default: false,
      describe: 'Issue unsigned (alg none) tokens instead of RS256',
    })
    .option('imds-port', {
      type: 'string',
      coerce: optionalWholeNumber('imds-port', 0, 65535),
      describe: 'Also serve plain HTTP (IMDS, App Service identity) on this port',
    })
    .option('imds-host', {
      type: 'string',
      describe: 'Address of the plain-HTTP listener (default: --host)',
      coerce: listenHost('imds-host'),
    });
}

type FakeIngestionArgs = Awaited<ReturnType<typeof fakeIngestionOptions>['argv']>;

function parseEntraApp(spec: string): EntraApp {
  const [clientId, secret, objectId, flag] = spec.split(':');
  if (!clientId || !secret)
    throw new UsageError(
      `--entra-app ${JSON.stringify(spec)}: expected CLIENT_ID:SECRET[:OBJECT_ID[:expired]]`,
    );
  if (flag !== undefined && flag !== 'expired')
    throw new UsageError(`--entra-app: the fourth field can only be "expired"`);
  return { clientId, secret, objectId: objectId || clientId, secretExpired: flag === 'expired' };
}

function scenarioOf(args: FakeIngestionArgs): Scenario {
  const scenario: Scenario = { name: args.scenario };
  if (args['retry-after'] !== undefined) scenario.retryAfterSeconds = args['retry-after'];
  if (args['delay-ms'] !== undefined) scenario.delayMs = args['delay-ms'];
  if (args['redirect-location'] !== undefined) scenario.location = args['redirect-location'];
  return scenario;
}

/** Starts the fake from parsed flags; the log goes to stdout, one JSON line per request. */
export async function runFakeIngestion(
  args: FakeIngestionArgs,
  logger = pino({ name: 'fake-ingestion' }, pino.destination({ dest: 1, sync: true })),
): Promise<FakeServices> {
  const apps = args['entra-app'].map(parseEntraApp);
  const fake = await startFakeServices({
    host: args.host,
    port: args.port,
    caDir: args['ca-dir'],
    ...readCertAndKey(args.cert, args.key),
    imdsPort: args['imds-port'],
    imdsHost: args['imds-host'],
    scenario: scenarioOf(args),
    logger,
    ingestion: {
      auth: args.auth,
      ikeys: args.ikey,
      publishers: args.publisher,
      audiences: args.audience,
      reason401: args['reason-401'],
      reason403: args['reason-403'],
      v2Status: args['v2-status'],
      v2Reason: args['v2-reason'],
      signatures: args.signatures,
    },
    entra: {
      tenants: args.tenant,
      signTokens: !args['unsigned-tokens'],
      ...(apps.length > 0 ? { apps } : {}),
    },
    identity: { signTokens: !args['unsigned-tokens'] },
  });
  // One line that scripts and tests can parse for the chosen ports.
  logger.info(
    {
      event: 'fake.listening',
      host: fake.host,
      port: fake.port,
      imdsPort: fake.imdsPort,
      caCert: fake.ca?.certPath,
      auth: args.auth,
      scenario: fake.scenario.name,
    },
    `fake ingestion and Entra listening on https://${fake.host}:${fake.port}`,
  );
  return fake;
}

const q = (s: string) => (/^[\w./@:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * For people, on stderr (stdout stays JSON lines): the `start` command that points the proxy at
 * this fake, runnable as printed from here, and the fake Entra app's credentials.
 */
export function fakeHint(fake: FakeServices, self: string, customApps: boolean): string {
  const address = fake.host === '0.0.0.0' || fake.host === '::' ? '127.0.0.1' : fake.host;
  const trust = fake.ca ? ` --upstream-ca ${q(fake.ca.certPath)}` : ' --upstream-ca <the PEM of --cert>';
  return [
    '# Point the proxy at this fake (in another shell, from this directory):',
    `${self} start --resolve ${q(`*:443=${address}:${fake.port}`)}${trust}`,
    `# (or both in one step: ${self} start --rehearse)`,
    customApps
      ? `# The fake Entra: tenant id ${DEFAULT_TENANT_ID}, and the apps given with --entra-app`
      : `# The fake Entra app: tenant id ${DEFAULT_TENANT_ID}, client id ${DEFAULT_APP.clientId}, client secret ${DEFAULT_APP.secret}`,
    '',
  ].join('\n');
}

export const fakeIngestionCommand: CommandModule<object, FakeIngestionArgs> = {
  command: 'fake-ingestion',
  describe:
    'Run a local fake of the Application Insights ingestion service, live metrics, Entra ID and managed identity',
  builder: (cli) => fakeIngestionOptions(cli) as unknown as Argv<FakeIngestionArgs>,
  handler: async (args) => {
    const fake = await runFakeIngestion(args);
    process.stderr.write(fakeHint(fake, selfCommand(), args['entra-app'].length > 0));
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await fake.close();
    (args as { exitCode?: number }).exitCode = 0;
  },
};
