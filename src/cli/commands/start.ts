import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_UI_HISTORY } from '../../inspector/session-history';
import { ProxyMetrics } from '../../metrics/proxy-metrics';
import { isLoopbackHost } from '../../proxy/exposure';
import { REHEARSAL_CONNECTION_STRING, rehearsalInstructions, startRehearsalFake } from '../rehearsal';
import { RUN_PROXY_DEFAULTS, runProxy } from '../run-proxy';
import { stopSignal } from '../stop-signal';
import { selfCommand } from '../self-command';
import {
  checkConnectionStrings,
  checkListenHost,
  checkResolveRules,
  checkUpstreamProxy,
  directoryPath,
  hostPatterns,
  MAX_TIMER_MS,
  proxyCredentials,
  singleString,
  wholeNumber,
  writableFile,
} from '../start-flags';
import { viewSinks } from '../view-sinks';

/** Flags of `start`, each also settable as AIPROXY_<FLAG> (see main.ts). */
export function startOptions(cli: Argv) {
  return (
    cli
      .option('host', {
        type: 'string',
        default: RUN_PROXY_DEFAULTS.host,
        describe: 'Address to listen on (0.0.0.0 in a container)',
        coerce: singleString('host'),
      })
      // Numbers are read as text and checked by wholeNumber(): yargs' number type turns "abc" into NaN.
      .option('port', {
        type: 'string',
        default: RUN_PROXY_DEFAULTS.port,
        describe: "Port to listen on (Fiddler's)",
        coerce: wholeNumber('port', 0, 65535),
      })
      .option('ca-dir', {
        type: 'string',
        default: RUN_PROXY_DEFAULTS.caDir,
        describe: 'Where the CA lives (created on first start)',
        coerce: directoryPath('ca-dir'),
      })
      .option('connection-string', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe:
          'Application Insights connection string (repeatable); its hosts are intercepted and checked. Also read from APPLICATIONINSIGHTS_CONNECTION_STRING',
      })
      .option('intercept', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe:
          'Also decrypt these hosts ("*.example.com" for sub-domains; commas or spaces separate several)',
        coerce: hostPatterns('intercept'),
      })
      .option('no-intercept', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'Never decrypt these hosts (tunnel them)',
        coerce: hostPatterns('no-intercept'),
      })
      .option('resolve', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'HOST[:PORT]=ADDRESS:PORT: connect there, keep the name for SNI and Host (like curl)',
      })
      .option('upstream-ca', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'Extra PEM roots to trust upstream (corporate proxy, local fake)',
      })
      .option('upstream-insecure', {
        type: 'boolean',
        default: false,
        describe: 'Do not verify upstream certificates (emergencies only)',
      })
      .option('upstream-proxy', {
        type: 'string',
        describe: 'Chain through this HTTP proxy (http://[user:pass@]host:port)',
        coerce: singleString('upstream-proxy'),
      })
      .option('upstream-timeout', {
        type: 'string',
        default: RUN_PROXY_DEFAULTS.upstreamTimeout,
        describe:
          'Milliseconds of upstream silence before its response headers (504 after); the upload restarts the wait',
        coerce: wholeNumber('upstream-timeout', 1, MAX_TIMER_MS),
      })
      .option('idle-timeout', {
        type: 'string',
        default: RUN_PROXY_DEFAULTS.idleTimeout,
        describe: 'Milliseconds an idle client connection or tunnel is kept',
        coerce: wholeNumber('idle-timeout', 1, MAX_TIMER_MS),
      })
      .option('max-capture-bytes', {
        type: 'string',
        default: RUN_PROXY_DEFAULTS.maxCaptureBytes,
        describe: 'Bytes of each body kept for analysis (before and after decompression)',
        coerce: wholeNumber('max-capture-bytes', 0, 2 ** 30),
      })
      .option('log-format', {
        choices: ['json', 'pretty'] as const,
        default: process.stdout.isTTY ? ('pretty' as const) : ('json' as const),
        describe: 'json lines, or the readable view',
      })
      .option('log-file', {
        type: 'string',
        describe: 'Also write JSON lines to this file',
        coerce: writableFile('log-file'),
      })
      .option('log-level', { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' as const })
      .option('log-bodies', {
        choices: ['failures', 'all', 'none'] as const,
        default: 'failures' as const,
        describe: 'Which exchanges keep their (redacted) body text in the log',
      })
      .option('log-guidance', {
        choices: ['first', 'full'] as const,
        default: 'first' as const,
        describe:
          "A finding's guidance in full on its first line, then a catalog reference; or full on every line",
      })
      .option('expect-entra', {
        type: 'boolean',
        default: false,
        describe: 'The resource has local auth disabled: warn before the service answers',
      })
      .option('ca-unconstrained', {
        type: 'boolean',
        default: false,
        describe: 'Create a new CA without Name Constraints (it could then vouch for any site)',
      })
      .option('har', {
        type: 'string',
        describe: 'Also write every exchange to this HAR 1.2 file (completed on stop)',
        coerce: writableFile('har'),
      })
      .option('only-findings', {
        type: 'boolean',
        default: false,
        describe: 'Readable view: hide healthy exchanges',
      })
      .option('color', {
        type: 'boolean',
        describe: 'Readable view: colours (default: when stdout is a terminal)',
      })
      .option('summary', {
        type: 'boolean',
        default: true,
        describe: 'Print a summary report to stderr on stop (--summary false: none)',
      })
      .option('proxy-auth', {
        type: 'string',
        describe: 'Require Proxy-Authorization Basic USER:PASS (AIPROXY_PROXY_AUTH keeps it out of ps)',
        coerce: singleString('proxy-auth'),
      })
      .option('proxy-auth-file', {
        type: 'string',
        describe: 'Read USER:PASS for --proxy-auth from the first line of this file',
        coerce: singleString('proxy-auth-file'),
      })
      .option('allow-private-destinations', {
        type: 'boolean',
        default: false,
        describe: 'Let clients from other machines reach loopback and link-local addresses (169.254.169.254)',
      })
      .option('quiet-after', {
        type: 'string',
        default: 60,
        describe: 'Seconds without any telemetry before saying so (NO_TELEMETRY)',
        coerce: wholeNumber('quiet-after', 1, MAX_TIMER_MS / 1000),
      })
      .option('ui', {
        type: 'boolean',
        describe:
          "The inspector page on the proxy's own address (default: on for 127.0.0.1; on another address only with --proxy-auth or --ui true)",
      })
      .option('ui-history', {
        type: 'string',
        default: DEFAULT_UI_HISTORY,
        describe: 'Exchanges the inspector page keeps (the oldest go first; a byte ceiling applies too)',
        coerce: wholeNumber('ui-history', 1, 1_000_000),
      })
      .option('advertise-host', {
        type: 'string',
        describe:
          'The address apps use to reach the proxy, for the start-up banner (a compose service name, 127.0.0.1 in a pod)',
        coerce: singleString('advertise-host'),
      })
      .option('advertise-trust-dir', {
        type: 'string',
        describe:
          'Where apps find ca.pem and truststore.p12 (their mount of the public volume), for the banner',
        coerce: singleString('advertise-trust-dir'),
      })
      .option('rehearse', {
        type: 'boolean',
        default: false,
        describe:
          'Also run a local fake of an Entra-only resource and send all Azure traffic to it; prints what the app needs',
      })
      .option('analysis', {
        type: 'boolean',
        default: true,
        describe: 'Capture, analyse and log exchanges (false: relay only)',
      })
  );
}

type StartArgs = Awaited<ReturnType<typeof startOptions>['argv']>;

export const startCommand: CommandModule<object, StartArgs> = {
  command: ['start', '$0'],
  describe: 'Run the proxy (the default command)',
  builder: (cli) => startOptions(cli) as unknown as Argv<StartArgs>,
  handler: async (args) => {
    const fromEnv = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    const host = checkListenHost(args.host ?? RUN_PROXY_DEFAULTS.host);
    checkConnectionStrings(args['connection-string'], args.rehearse ? undefined : fromEnv);
    const proxyAuth = proxyCredentials(args['proxy-auth'], args['proxy-auth-file']);
    const resolveRules = checkResolveRules(args.resolve);
    const upstreamProxy = checkUpstreamProxy(args['upstream-proxy']);
    const rehearsal = args.rehearse ? await startRehearsalFake(args['ca-dir']) : undefined;
    const metrics = new ProxyMetrics();
    const view = viewSinks(args);
    // A rehearsal checks the app against the fake's resource (the printed instructions export its
    // connection string), not against one left in this shell's environment.
    const connectionString = rehearsal
      ? [REHEARSAL_CONNECTION_STRING, ...args['connection-string']]
      : [...args['connection-string'], ...(fromEnv ? [fromEnv] : [])];
    // Before creating the CA (seconds on a first start): see stop-signal.ts.
    const stop = stopSignal();
    let running;
    try {
      running = await runProxy({
        host,
        port: args.port,
        caDir: args['ca-dir'],
        connectionString,
        intercept: args.intercept,
        noIntercept: args['no-intercept'],
        // the user's own rules first: the rehearsal's catch-all sends the rest to the fake
        resolve: [...resolveRules, ...(rehearsal?.resolve ?? [])],
        upstreamCa: [...args['upstream-ca'], ...(rehearsal?.upstreamCa ?? [])],
        upstreamInsecure: args['upstream-insecure'],
        upstreamProxy,
        upstreamTimeout: args['upstream-timeout'],
        idleTimeout: args['idle-timeout'],
        maxCaptureBytes: args['max-capture-bytes'],
        logFormat: args['log-format'],
        logFile: args['log-file'],
        logLevel: args['log-level'],
        logBodies: args['log-bodies'],
        logGuidance: args['log-guidance'],
        expectEntra: args['expect-entra'],
        quietAfter: args['quiet-after'],
        proxyAuth,
        allowPrivateDestinations: args['allow-private-destinations'],
        analysis: args.analysis,
        ...view,
        sinks: [...view.sinks, metrics.sink],
        localRoutes: [metrics.route],
        caUnconstrained: args['ca-unconstrained'],
        writeTruststore: true,
        advertiseHost: args['advertise-host'],
        advertiseTrustDir: args['advertise-trust-dir'],
        inspector: { ui: args.ui, history: args['ui-history'] },
      });
    } catch (err) {
      stop.dispose();
      await rehearsal?.close();
      throw err;
    }
    metrics.bind({ pipeline: running.pipeline, caCertPath: running.caCertPath });
    if (rehearsal) {
      // stderr: stdout stays the log's JSON lines
      process.stderr.write(
        rehearsalInstructions({
          proxyHost:
            args['advertise-host'] ??
            (running.address.host === '0.0.0.0' ? '127.0.0.1' : running.address.host),
          proxyPort: running.address.port,
          caDir: args['ca-dir'],
          caCertPath: running.caCertPath,
          selfCommand: selfCommand(),
          fakePort: rehearsal.fake.port,
        }),
      );
    }
    if (!isLoopbackHost(host) && !proxyAuth) {
      // Loud, on stderr too: the JSON log on stdout often goes to a file nobody reads at start.
      process.stderr.write(
        `appinsights-auth-proxy: WARNING: listening on ${host} without --proxy-auth: anyone who can reach this port can use the proxy. Set --proxy-auth-file or AIPROXY_PROXY_AUTH.\n`,
      );
    }
    await stop.requested;
    stop.dispose();
    await running.close();
    await rehearsal?.close();
    (args as { exitCode?: number }).exitCode = 0;
  },
};
