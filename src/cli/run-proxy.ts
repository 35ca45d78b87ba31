import path from 'node:path';
import type { Writable } from 'node:stream';
import { loadOrCreateCa } from '../certs/ca';
import { caValidityProblem } from '../certs/ca-validity';
import {
  hostsOutsideConstraints,
  outsideConstraintsMessage,
  permittedDomainsFor,
} from '../certs/ca-constraints';
import { ensureTrustStoreAtStartup } from '../certs/truststore-at-startup';
import { diagnose } from '../diagnosis';
import { DEFAULT_INTERCEPT_PATTERNS } from '../ingestion/clouds';
import { checkInspectorFlags, type InspectorFlags, proxyInspector } from '../inspector/proxy-inspector';
import {
  type ConnectionString,
  connectionStringHosts,
  parseConnectionString,
} from '../ingestion/connection-string';
import { DEFAULT_PIPELINE_LIMITS, ExchangePipeline, type Analyzer } from '../proxy/exchange-pipeline';
import type { LocalRoute } from '../proxy/local-endpoints';
import { ProxyServer } from '../proxy/proxy-server';
import { formatHostPort } from '../proxy/connect-target';
import { ScopeMatcher } from '../proxy/scope';
import { type ExchangeSink, type LogBodies, logSink } from '../sinks/exchange-sink';
import type { LogGuidance } from '../diagnosis/guidance-ref';
import { createLogger, type LogFormat, routeConsole } from '../sinks/logger';
import { advertised } from './advertise';
import { startTrafficLog } from './traffic-log';
import { ShutdownMarker } from '../sinks/shutdown-marker';
import { warmAnalysis } from './warm-analysis';
import { UsageError } from './usage-error';
import { readUpstreamCaFiles } from './upstream-ca-files';
import { checkUpstreamProxy } from './start-flags';
import { isLoopbackHost } from '../proxy/exposure';

export { javaFlags } from './advertise';

export interface RunProxyOptions {
  host: string;
  port: number;
  caDir: string;
  connectionString: string[];
  intercept: string[];
  noIntercept: string[];
  resolve: string[];
  upstreamCa: string[];
  upstreamInsecure: boolean;
  upstreamProxy?: string;
  upstreamTimeout: number;
  idleTimeout: number;
  maxCaptureBytes: number;
  logFormat: LogFormat;
  logFile?: string;
  logLevel: string;
  /** Which exchanges keep body text in the log (default: failures). */
  logBodies?: LogBodies;
  /** `first`: a finding's guidance in full once per log, then a reference to its catalog entry. */
  logGuidance?: LogGuidance;
  expectEntra: boolean;
  /** Seconds without telemetry before the NO_TELEMETRY finding (default 60). */
  quietAfter?: number;
  proxyAuth?: string;
  /** Let clients that are not local reach loopback and link-local destinations. */
  allowPrivateDestinations?: boolean;
  analysis: boolean;
  /** Create a new CA without Name Constraints (default: constrained to the intercepted domains). */
  caUnconstrained?: boolean;
  /** Write <ca-dir>/truststore.p12 when a JDK is present and it is missing (the start command). */
  writeTruststore?: boolean;
  /** Tests: write the log here instead of stdout. */
  logDestination?: Writable;
  /** Extra sinks (HAR writer, summary, ...). */
  sinks?: ExchangeSink[];
  /** Extra pages and data endpoints on the proxy's own address (inspector, metrics, ...). */
  localRoutes?: LocalRoute[];
  /** The inspector page (`start --ui`, `--ui-history`); absent: no page. */
  inspector?: InspectorFlags;
  analyzer?: (connectionStrings: ConnectionString[]) => Analyzer;
  prettyStream?: () => Writable;
  /** The banner's proxy address for apps (a service name, 127.0.0.1 in a pod); default: --host. */
  advertiseHost?: string;
  /** Where apps find ca.pem and truststore.p12 (their mount of the public volume); default: --ca-dir. */
  advertiseTrustDir?: string;
}

/** The proxy's defaults (the `start` flags use them too): what a caller overrides, the rest stays. */
export const RUN_PROXY_DEFAULTS = {
  host: '127.0.0.1',
  port: 8888,
  caDir: 'certs',
  connectionString: [] as string[],
  intercept: [] as string[],
  noIntercept: [] as string[],
  resolve: [] as string[],
  upstreamCa: [] as string[],
  upstreamInsecure: false,
  upstreamTimeout: 30_000,
  idleTimeout: 120_000,
  maxCaptureBytes: 1 << 20,
  logFormat: 'json' as LogFormat,
  logLevel: 'info',
  expectEntra: false,
  analysis: true,
} satisfies RunProxyOptions;

export interface RunningProxy {
  address: { host: string; port: number };
  server: ProxyServer;
  pipeline: ExchangePipeline;
  caCertPath: string;
  close(): Promise<void>;
}

/** The banner's settings for the app (javaFlags, env), and a hint (wildcard address, proxy credentials). */
function bannerFor(address: { port: number }, options: RunProxyOptions) {
  const { javaFlags, env, hint } = advertised({
    listenHost: options.host,
    port: address.port,
    caDir: options.caDir,
    advertiseHost: options.advertiseHost,
    advertiseTrustDir: options.advertiseTrustDir,
    proxyAuth: options.proxyAuth !== undefined,
  });
  return { settings: { javaFlags, env }, hint };
}

/**
 * Closed sockets report their exchanges a few event-loop turns later (close callbacks, then
 * the response's 'close'): wait for those turns so the pipeline has them before it drains.
 */
async function settleDestroyedSockets(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Starts the proxy with its log and analysis: what `appinsights-auth-proxy start` runs. */
export async function runProxy(options: RunProxyOptions): Promise<RunningProxy> {
  const connectionStrings = options.connectionString.filter(Boolean).map(parseConnectionString);
  const upstreamCa = readUpstreamCaFiles(options.upstreamCa);
  checkUpstreamProxy(options.upstreamProxy);
  if (options.proxyAuth !== undefined && !options.proxyAuth.includes(':')) {
    throw new UsageError('--proxy-auth takes USER:PASS');
  }
  if (options.inspector) checkInspectorFlags(options.inspector);
  const scope = new ScopeMatcher({
    connectionStrings,
    intercept: options.intercept,
    noIntercept: options.noIntercept,
  });
  const { logger, flush } = createLogger({
    format: options.logFormat,
    file: options.logFile,
    level: options.logLevel,
    destination: options.logDestination,
    prettyStream: options.prettyStream,
  });
  const restoreConsole = routeConsole(logger);
  // New CAs may vouch only for what we intercept; an existing one must cover today's hosts.
  const caHosts = [...connectionStrings.flatMap(connectionStringHosts), ...options.intercept];
  const { ca, created } = await loadOrCreateCa(
    path.resolve(options.caDir),
    { permittedDomains: options.caUnconstrained ? undefined : permittedDomainsFor(caHosts) },
    (w) => logger.warn({ caFile: w.file }, w.message),
  ).catch((err: Error) => {
    restoreConsole();
    throw err;
  });
  const outside = hostsOutsideConstraints(ca, caHosts);
  if (outside.length > 0) {
    restoreConsole();
    throw new UsageError(outsideConstraintsMessage(ca, outside, caHosts));
  }
  const invalid = caValidityProblem(ca);
  if (invalid) {
    restoreConsole();
    throw new UsageError(invalid);
  }
  if (options.writeTruststore) await ensureTrustStoreAtStartup(ca, logger);
  const page = options.inspector
    ? proxyInspector(options.inspector, { ...options, connectionStrings, caCertPath: ca.certPath })
    : undefined;
  const sinks = [...(page?.sinks ?? []), ...(options.sinks ?? [])];
  const server = new ProxyServer({
    host: options.host,
    port: options.port,
    ca,
    scope,
    resolve: options.resolve,
    upstreamCa,
    upstreamInsecure: options.upstreamInsecure,
    upstreamProxy: options.upstreamProxy,
    upstreamTimeoutMs: options.upstreamTimeout,
    idleTimeoutMs: options.idleTimeout,
    maxCaptureBytes: options.maxCaptureBytes,
    proxyAuth: options.proxyAuth,
    allowPrivateDestinations: options.allowPrivateDestinations,
    capture: options.analysis,
    localRoutes: [...(page?.routes ?? []), ...(options.localRoutes ?? [])],
  });
  const analyze: Analyzer = options.analyzer
    ? options.analyzer(connectionStrings)
    : (exchange) =>
        diagnose(exchange, { connectionStrings, expectEntra: options.expectEntra, caCertPath: ca.certPath });
  const traffic = startTrafficLog({
    logger,
    sinks,
    connectionStrings,
    expectEntra: options.expectEntra,
    quietAfterSeconds: options.quietAfter ?? 60,
    enabled: options.analysis,
  });
  const shutdown = new ShutdownMarker();
  const pipeline = new ExchangePipeline(
    shutdown.wrap([
      logSink(logger, options.logBodies ?? 'failures', options.logGuidance ?? 'first'),
      ...sinks,
      traffic.sink,
    ]),
    analyze,
    options.maxCaptureBytes,
    DEFAULT_PIPELINE_LIMITS,
    (err) =>
      logger.error({ err: err.message }, 'analysis failed for an exchange; it was logged without findings'),
    (skipped) =>
      logger.warn(
        { notAnalysed: skipped },
        `${skipped} exchange(s) relayed but not analysed: the analysis backlog was full (traffic faster than the analysis)`,
      ),
  );
  server.on('exchange', (live) => pipeline.accept(live));
  server.on('tunnel', (t) => {
    traffic.connection(t.start, t.target.host);
    logger.info(
      {
        tunnel: {
          target: `${t.target.host}:${t.target.port}`,
          client: t.client,
          bytesUp: t.bytesUp,
          bytesDown: t.bytesDown,
          durationMs: (t.end ?? Date.now()) - t.start,
          error: t.error,
        },
      },
      `TUNNEL ${t.target.host}:${t.target.port} (not intercepted)${t.error ? ` failed: ${t.error}` : ''}`,
    );
  });
  server.on('notice', ({ level, msg, ...rest }) => logger[level](rest, msg));

  // Before listening, so it never shares the event loop with a client (warm-analysis.ts).
  if (options.analysis && !options.analyzer)
    await warmAnalysis(analyze, {
      bodies: options.logBodies ?? 'failures',
      guidance: options.logGuidance ?? 'first',
    });

  let address: { host: string; port: number };
  try {
    address = await server.start();
  } catch (err) {
    restoreConsole();
    traffic.stop();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      throw new UsageError(`port ${options.port} on ${options.host} is already in use (--port)`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EACCES')
      throw new UsageError(`cannot listen on ${options.host}:${options.port} (--host/--port): ${e.code}`);
    throw err;
  }
  if (!isLoopbackHost(address.host) && !options.proxyAuth) {
    logger.warn(
      { exposure: { host: address.host, proxyAuth: false } },
      `listening on ${address.host} without --proxy-auth: anyone who can reach this port can use the proxy. Clients from other machines are refused loopback and link-local destinations${options.allowPrivateDestinations ? ' (not now: --allow-private-destinations)' : ''}.`,
    );
  }
  if (options.upstreamInsecure) {
    logger.warn(
      '--upstream-insecure: upstream certificates are NOT verified. Anyone on the path can read and change this traffic. Use --upstream-ca instead.',
    );
  }
  const banner = bannerFor(address, options);
  logger.info(
    {
      listening: formatHostPort(address),
      ca: {
        path: ca.certPath,
        fingerprint256: ca.fingerprint256,
        created,
        notAfter: ca.notAfter.toISOString(),
      },
      intercept: scope.patterns.length > 12 ? [...scope.patterns.slice(0, 12), '…'] : scope.patterns,
      defaultsInScope: DEFAULT_INTERCEPT_PATTERNS.length,
      connectionStrings: connectionStrings.map((cs) => ({
        iKey: cs.maskedIkey,
        ingestion: cs.ingestionEndpoint,
        live: cs.liveEndpoint,
        audience: cs.audience,
      })),
      ...banner.settings,
    },
    `appinsights-auth-proxy listening on ${formatHostPort(address)}; CA ${created ? 'created' : 'loaded'} at ${ca.certPath}`,
  );
  if (banner.hint) logger.warn(banner.hint);
  page?.announce(address, logger);
  return {
    address,
    server,
    pipeline,
    caCertPath: ca.certPath,
    async close() {
      // Exchanges still in flight are cut by the close: their lines say so, and reach every sink.
      shutdown.begin();
      await server.close();
      await settleDestroyedSockets();
      await pipeline.drain();
      traffic.stop();
      for (const sink of sinks) await sink.close?.();
      await flush();
      restoreConsole();
    },
  };
}
