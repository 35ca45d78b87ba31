import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  CA_SIGNER_FILE,
  type CertificateAuthority,
  createCa,
  loadCa,
  loadOrCreateCa,
} from '../../certs/ca';
import type { CaWarning } from '../../certs/ca-files';
import { permittedDomainsFor } from '../../certs/ca-constraints';
import { describeCa } from '../../certs/ca-summary';
import { caValidityProblem } from '../../certs/ca-validity';
import { EXPORT_FORMATS, type ExportFormat, exportCaCertificate } from '../../certs/export';
import { RUNTIMES, type Runtime, setupInstructions } from '../../certs/setup-instructions';
import { DEFAULT_TRUSTSTORE_PASSWORD, TRUSTSTORE_FILE, writeTrustStore } from '../../certs/truststore';
import { connectionStringHosts, parseConnectionString } from '../../ingestion/connection-string';
import { UsageError } from '../usage-error';
import { selfCommand } from '../self-command';
import { directoryPath, hostPatterns, singleString, wholeNumber } from '../start-flags';
import { sameFile } from '../log-input';
import { shellWord } from '../../model/shell-word';

/**
 * yargs reports a bad choice to main's fail() yet still runs the handler; re-checking here turns
 * that into a clean usage error instead of a crash further down.
 */
function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${String(value)}")`);
}

/** USER:PASS as start takes it; the value is a secret, so an error never repeats it. */
function proxyAuthValue(value: unknown): string {
  if (Array.isArray(value)) throw new UsageError('--proxy-auth was given more than once');
  const text = String(value);
  if (!text.includes(':')) throw new UsageError('--proxy-auth takes USER:PASS, as start --proxy-auth does');
  return text;
}

const print = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

function caDirOption<T>(cli: Argv<T>) {
  return cli.option('ca-dir', {
    type: 'string',
    default: 'certs',
    describe: 'Where the CA lives',
    coerce: directoryPath('ca-dir'),
  });
}

/** Options that shape a CA when one is created (same names as `start`, so AIPROXY_* env applies). */
function creationOptions<T>(cli: Argv<T>) {
  return caDirOption(cli)
    .option('intercept', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Extra hosts a new CA may vouch for',
      coerce: hostPatterns('intercept'),
    })
    .option('connection-string', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'Connection strings whose hosts a new CA may vouch for',
    })
    .option('ca-unconstrained', {
      type: 'boolean',
      default: false,
      describe: 'Create the CA without Name Constraints',
    });
}

interface CreationArgs {
  'ca-dir': string;
  intercept: string[];
  'connection-string': string[];
  'ca-unconstrained': boolean;
}

/** The creation flags out of a parsed command line. */
function creationArgs(args: Record<string, any>): CreationArgs {
  return {
    'ca-dir': args['ca-dir'],
    intercept: args.intercept ?? [],
    'connection-string': args['connection-string'] ?? [],
    'ca-unconstrained': Boolean(args['ca-unconstrained']),
  };
}

function permittedFor(args: CreationArgs): string[] | undefined {
  if (args['ca-unconstrained']) return undefined;
  const fromEnv = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  const strings = [...args['connection-string'], ...(fromEnv ? [fromEnv] : [])].filter(Boolean);
  return permittedDomainsFor([
    ...strings.map(parseConnectionString).flatMap(connectionStringHosts),
    ...args.intercept,
  ]);
}

/** CA warnings (a key others could read was tightened...) go to stderr: stdout is the command's output. */
function warnOnStderr(w: CaWarning): void {
  process.stderr.write(`warning: ${w.message}\n`);
}

async function existingCa(caDir: string): Promise<CertificateAuthority> {
  const dir = path.resolve(caDir);
  const ca = await loadCa(dir, warnOnStderr);
  if (!ca)
    throw new UsageError(
      `no CA in ${dir} yet: run "appinsights-auth-proxy ca init --ca-dir ${shellWord(dir)}" (or start the proxy once)`,
    );
  const invalid = caValidityProblem(ca);
  if (invalid) warnOnStderr({ file: ca.certPath, message: invalid });
  return ca;
}

/** The CA, created (constrained as configured) when the directory has none yet: init steps in containers. */
async function caOrCreate(args: CreationArgs): Promise<CertificateAuthority> {
  const { ca, created } = await loadOrCreateCa(
    path.resolve(args['ca-dir']),
    { permittedDomains: permittedFor(args) },
    warnOnStderr,
  );
  if (created) process.stderr.write(`created a new CA at ${ca.certPath}\n`);
  return ca;
}

const pathCommand: CommandModule<object, any> = {
  command: 'path',
  describe: 'Print the CA certificate path',
  builder: (cli) => caDirOption(cli),
  handler: async (args) => {
    print((await existingCa(args['ca-dir'])).certPath);
  },
};

const showCommand: CommandModule<object, any> = {
  command: 'show',
  describe: 'Where the CA is, its fingerprint, validity and name constraints',
  builder: (cli) => caDirOption(cli),
  handler: async (args) => {
    print(describeCa(await existingCa(args['ca-dir'])));
  },
};

/** An export never overwrites the CA itself (its key above all: the CA could not be recovered). */
function notTheCaFiles(ca: CertificateAuthority, out: string): string {
  // A directory gave Node's "EISDIR: illegal operation on a directory" and exit 1.
  if (isDirectory(out)) throw new UsageError(`--out ${out} is a directory: name the file to write`);
  for (const name of [CA_CERT_FILE, CA_KEY_FILE, CA_SIGNER_FILE]) {
    const own = path.join(ca.dir, name);
    if (path.resolve(out) === path.resolve(own) || sameFile(out, own))
      throw new UsageError(`--out ${out} is the CA's own ${name}: write the export to another file`);
  }
  return out;
}

const exportCommand: CommandModule<object, any> = {
  command: 'export',
  describe: 'Write the CA certificate (never the key) as PEM, DER or PKCS12',
  builder: (cli) =>
    creationOptions(cli)
      .option('format', { choices: EXPORT_FORMATS, default: 'pem' as ExportFormat })
      .option('out', {
        type: 'string',
        demandOption: true,
        describe: 'File to write',
        coerce: singleString('out'),
      })
      .option('password', {
        type: 'string',
        default: DEFAULT_TRUSTSTORE_PASSWORD,
        describe: 'p12 password',
        coerce: singleString('password'),
      }),
  handler: async (args) => {
    const format = oneOf('--format', args.format, EXPORT_FORMATS);
    const ca = await caOrCreate(creationArgs(args));
    const file = await exportCaCertificate(ca, format, notTheCaFiles(ca, args.out), args.password);
    print(
      `wrote ${file} (${format}${format === 'p12' ? ': this CA only; for Java use "ca truststore"' : ''})`,
    );
  },
};

const truststoreCommand: CommandModule<object, any> = {
  command: 'truststore',
  describe: "Write a PKCS12 Java truststore: this CA + the JDK's default roots",
  builder: (cli) =>
    creationOptions(cli)
      .option('out', {
        type: 'string',
        describe: `File to write (default <ca-dir>/${TRUSTSTORE_FILE})`,
        coerce: singleString('out'),
      })
      .option('password', {
        type: 'string',
        default: DEFAULT_TRUSTSTORE_PASSWORD,
        coerce: singleString('password'),
      })
      .option('cacerts', {
        type: 'string',
        coerce: singleString('cacerts'),
        describe: 'Default roots from this keystore (default: the JDK of JAVA_HOME or PATH)',
      })
      .option('cacerts-password', {
        type: 'string',
        default: 'changeit',
        coerce: singleString('cacerts-password'),
      }),
  handler: async (args) => {
    const ca = await caOrCreate(creationArgs(args));
    const out = notTheCaFiles(ca, path.resolve(args.out ?? path.join(ca.dir, TRUSTSTORE_FILE)));
    const result = await writeTrustStore(ca, out, args.password, {
      cacerts: args.cacerts,
      cacertsPassword: args['cacerts-password'],
    });
    print(
      [
        `wrote ${result.file}: this CA + ${result.entries - 1} default roots from ${result.defaultRootsSource}`,
        `JVM flags: ${shellWord(`-Djavax.net.ssl.trustStore=${result.file}`)} -Djavax.net.ssl.trustStoreType=PKCS12 ${shellWord(`-Djavax.net.ssl.trustStorePassword=${args.password}`)}`,
      ].join('\n'),
    );
  },
};

const setupCommand: CommandModule<object, any> = {
  command: 'setup <runtime>',
  describe: 'Copy-paste instructions to point a runtime at the proxy and trust its CA',
  builder: (cli) =>
    caDirOption(cli)
      .positional('runtime', { choices: RUNTIMES, demandOption: true })
      .option('proxy-host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'How the app reaches the proxy',
        coerce: singleString('proxy-host'),
      })
      // Read as text and checked: yargs' number type turned "abc" into NaN, printed as the port.
      .option('proxy-port', {
        type: 'string',
        default: '8888',
        describe: 'The port the proxy listens on',
        coerce: wholeNumber('proxy-port', 1, 65535),
      })
      .option('proxy-auth', {
        type: 'string',
        describe: 'USER:PASS, when the proxy runs with --proxy-auth',
        coerce: proxyAuthValue,
      })
      .option('password', {
        type: 'string',
        default: DEFAULT_TRUSTSTORE_PASSWORD,
        describe: 'Truststore password',
        coerce: singleString('password'),
      })
      .option('truststore', {
        type: 'string',
        describe: `Truststore path (default <ca-dir>/${TRUSTSTORE_FILE})`,
        coerce: singleString('truststore'),
      }),
  handler: async (args) => {
    const caDir = path.resolve(args['ca-dir']);
    const ca = await loadCa(caDir, warnOnStderr);
    const text = setupInstructions(oneOf<Runtime>('runtime', args.runtime, RUNTIMES), {
      caDir,
      caCertPath: ca?.certPath ?? path.join(caDir, 'ca.pem'),
      truststorePath: path.resolve(args.truststore ?? path.join(caDir, TRUSTSTORE_FILE)),
      truststorePassword: args.password,
      proxyHost: args['proxy-host'],
      proxyPort: args['proxy-port'],
      proxyAuth: args['proxy-auth'],
      selfCommand: selfCommand(),
    });
    print(
      ca
        ? text
        : `# No CA in ${caDir} yet: start the proxy once, or run: appinsights-auth-proxy ca init --ca-dir ${shellWord(caDir)}\n${text}`,
    );
  },
};

const initCommand: CommandModule<object, any> = {
  command: 'init',
  describe: 'Create the CA (--force replaces an existing one)',
  builder: (cli) =>
    creationOptions(cli).option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace an existing CA',
    }),
  handler: async (args) => {
    const dir = path.resolve(args['ca-dir']);
    // --force also replaces a broken CA (a missing key, a key of another certificate...).
    const old = await loadCa(dir, warnOnStderr).catch((err: Error) => {
      if (!args.force) throw err;
      process.stderr.write(`replacing a broken CA: ${err.message}\n`);
      return { certPath: path.join(dir, 'ca.pem') } as CertificateAuthority;
    });
    if (old && !args.force) {
      throw new UsageError(
        `a CA already exists at ${old.certPath} (SHA-256 ${old.fingerprint256}); add --force to replace it`,
      );
    }
    // A truststore holding the old CA would make the JVM reject the new one's leaves.
    if (old) await fs.rm(path.join(dir, TRUSTSTORE_FILE), { force: true });
    const ca = await createCa(dir, { permittedDomains: permittedFor(creationArgs(args)) });
    print(describeCa(ca));
    if (old)
      print(
        'Replaced the old CA: clients that trusted it must trust this one (ca truststore, ca setup <runtime>).',
      );
  },
};

export const caCommand: CommandModule = {
  command: 'ca <command>',
  describe: "The proxy's CA: path, show, export, truststore, setup <runtime>, init",
  builder: (cli) =>
    cli
      .command(pathCommand)
      .command(showCommand)
      .command(exportCommand)
      .command(truststoreCommand)
      .command(setupCommand)
      .command(initCommand)
      .demandCommand(1),
  handler: () => undefined,
};

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
