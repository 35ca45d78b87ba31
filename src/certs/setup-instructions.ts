/** Copy-paste set-up instructions per runtime, with this machine's real paths filled in. */

import { shellQuote } from '../model/shell-word';

export const RUNTIMES = ['java', 'node', 'python', 'dotnet', 'curl'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export interface SetupContext {
  caDir: string;
  caCertPath: string;
  truststorePath: string;
  truststorePassword: string;
  proxyHost: string;
  proxyPort: number;
  /** USER:PASS when the proxy runs with --proxy-auth. */
  proxyAuth?: string;
  /** How to run this CLI from where the text is printed (default: the bin name, for an install). */
  selfCommand?: string;
}

/** Hosts a JVM must reach directly: Azure IMDS (managed identity) and the JVM's usual local bypass. */
export const JAVA_NON_PROXY_HOSTS = '169.254.169.254|localhost|127.*|[::1]';

const q = shellQuote;

/** host:port for a URL: an IPv6 address goes in brackets (`http://::1:8888` is no URL). */
function urlHostPort(ctx: SetupContext): string {
  const host = ctx.proxyHost.includes(':') && !ctx.proxyHost.startsWith('[') ? `[${ctx.proxyHost}]` : ctx.proxyHost;
  return `${host}:${ctx.proxyPort}`;
}

function proxyUrl(ctx: SetupContext): string {
  const auth = ctx.proxyAuth ? `${ctx.proxyAuth.split(':').map(encodeURIComponent).join(':')}@` : '';
  return `http://${auth}${urlHostPort(ctx)}`;
}

/**
 * One flag as the JVM reads JAVA_TOOL_OPTIONS: it splits at white space unless quoted, so a
 * truststore under `/home/me/my certs` would end the flag at the space and the JVM would not start.
 */
function jvmWord(flag: string): string {
  if (!/[\s'"]/.test(flag)) return flag;
  return flag.includes('"') ? `'${flag}'` : `"${flag}"`;
}

/** The JVM flags, in the order `ca setup java` prints them. */
export function javaOptions(ctx: SetupContext): string {
  return [
    `-Dhttps.proxyHost=${ctx.proxyHost}`,
    `-Dhttps.proxyPort=${ctx.proxyPort}`,
    `-Dhttp.nonProxyHosts=${JAVA_NON_PROXY_HOSTS}`,
    `-Djavax.net.ssl.trustStore=${ctx.truststorePath}`,
    '-Djavax.net.ssl.trustStoreType=PKCS12',
    `-Djavax.net.ssl.trustStorePassword=${ctx.truststorePassword}`,
  ]
    .map(jvmWord)
    .join(' ');
}

/** A PowerShell string literal: single quotes, a quote inside doubled. */
const powershellQuote = (text: string) => `'${text.replace(/'/g, "''")}'`;

function java(ctx: SetupContext): string[] {
  const [user, pass] = ctx.proxyAuth ? ctx.proxyAuth.split(/:(.*)/s) : [];
  const proxyBlock = { host: ctx.proxyHost, port: ctx.proxyPort, ...(user ? { username: user, password: pass } : {}) };
  return [
    `# Java (Application Insights Java agent 3.x, or any JVM) through the proxy at ${ctx.proxyHost}:${ctx.proxyPort}`,
    '#',
    '# 1. A truststore holding this CA AND the JDK\'s default roots (a store with only this CA breaks',
    '#    every TLS call the proxy does not decrypt, e.g. Entra token requests: "PKIX path building failed").',
    '#    Run it with JAVA_HOME set to the JDK the app uses, or add --cacerts <that JDK>/lib/security/cacerts.',
    `${ctx.selfCommand ?? 'appinsights-auth-proxy'} ca truststore --ca-dir ${q(ctx.caDir)} --out ${q(ctx.truststorePath)} --password ${q(ctx.truststorePassword)}`,
    '#',
    '# 2. The JVM flags, picked up by every JVM started from this shell (it prints "Picked up JAVA_TOOL_OPTIONS"):',
    `export JAVA_TOOL_OPTIONS=${q(javaOptions(ctx))}`,
    '#    or on the command line: java <the same flags> -javaagent:applicationinsights-agent-3.x.jar -jar app.jar',
    '#',
    '# 3. Agent only, instead of the two proxy flags: the "proxy" block of applicationinsights.json',
    '#    (the truststore flags of step 2 are still needed):',
    ...JSON.stringify({ proxy: proxyBlock }, null, 2)
      .split('\n')
      .map((l) => `#    ${l}`),
    '#',
    '# Traps:',
    '#  - http.nonProxyHosts applies to HTTPS too, and its default (localhost|127.*|[::1]) sends calls to',
    '#    a local upstream addressed as localhost or 127.0.0.1 around the proxy, silently. Address it by',
    '#    a host name, or remove those entries from the flag above.',
    '#  - Keep 169.254.169.254 (Azure IMDS: managed identity tokens) off the proxy, as the flag above does.',
    '#  - Java ignores HTTPS_PROXY; only the flags or the agent\'s proxy block count.',
    ...(ctx.proxyAuth
      ? [
          '#  - --proxy-auth: the agent\'s proxy block carries username/password. Plain JVM code needs a',
          '#    java.net.Authenticator and -Djdk.http.auth.tunneling.disabledSchemes= (Basic is off for CONNECT).',
        ]
      : []),
    '#',
    `# Undo: unset JAVA_TOOL_OPTIONS (or drop the flags / the proxy block); rm ${q(ctx.truststorePath)}`,
  ];
}

function node(ctx: SetupContext): string[] {
  return [
    `# Node.js (applicationinsights 3.x, @azure/monitor-opentelemetry[-exporter])`,
    `export HTTPS_PROXY=${q(proxyUrl(ctx))}`,
    `export https_proxy=${q(proxyUrl(ctx))}   # applicationinsights 2.x reads only the lower-case name`,
    `export NODE_EXTRA_CA_CERTS=${q(ctx.caCertPath)}   # adds this CA to Node's roots (read once at start)`,
    'export NO_PROXY=169.254.169.254   # Azure IMDS (managed identity) stays direct',
    '# Restart the app from this shell. Statsbeat calls IMDS directly whatever you set.',
    '# Undo: unset HTTPS_PROXY https_proxy NODE_EXTRA_CA_CERTS NO_PROXY',
  ];
}

/**
 * Python (urllib, so requests) and .NET (HttpClient.DefaultProxy) read https_proxy / no_proxy
 * BEFORE the upper-case names: a lower-case setting already in the shell would beat ours.
 */
function lowerCaseWins(ctx: SetupContext, runtime: string): string[] {
  return [
    `export HTTPS_PROXY=${q(proxyUrl(ctx))}`,
    `export https_proxy=${q(proxyUrl(ctx))}   # ${runtime} reads the lower-case name first`,
    'export NO_PROXY=169.254.169.254 no_proxy=169.254.169.254   # Azure IMDS (managed identity) stays direct',
  ];
}

function python(ctx: SetupContext): string[] {
  const bundle = `${ctx.caDir.replace(/\/$/, '')}/python-ca-bundle.pem`;
  return [
    '# Python (azure-monitor-opentelemetry, azure-identity; requests/aiohttp underneath)',
    ...lowerCaseWins(ctx, 'Python'),
    '# REQUESTS_CA_BUNDLE and SSL_CERT_FILE REPLACE the default roots: give them the defaults + this CA.',
    `cat "$(python3 -m certifi 2>/dev/null || echo /etc/ssl/certs/ca-certificates.crt)" ${q(ctx.caCertPath)} > ${q(bundle)}`,
    `export REQUESTS_CA_BUNDLE=${q(bundle)}   # requests (azure-core's default transport)`,
    `export SSL_CERT_FILE=${q(bundle)}        # ssl/urllib/aiohttp default contexts`,
    `# Undo: unset HTTPS_PROXY https_proxy NO_PROXY no_proxy REQUESTS_CA_BUNDLE SSL_CERT_FILE; rm ${q(bundle)}`,
  ];
}

function dotnet(ctx: SetupContext): string[] {
  const bundle = `${ctx.caDir.replace(/\/$/, '')}/dotnet-ca-bundle.pem`;
  return [
    '# .NET (Azure.Monitor.OpenTelemetry.*, Microsoft.ApplicationInsights) on Linux',
    ...lowerCaseWins(ctx, '.NET'),
    '# Trust, either A) the system store (Debian/Ubuntu; every program on the machine trusts the CA):',
    `sudo cp ${q(ctx.caCertPath)} /usr/local/share/ca-certificates/appinsights-auth-proxy.crt && sudo update-ca-certificates`,
    '# or B) only processes started from this shell: SSL_CERT_FILE with the system roots + this CA',
    `cat /etc/ssl/certs/ca-certificates.crt ${q(ctx.caCertPath)} > ${q(bundle)}`,
    `export SSL_CERT_FILE=${q(bundle)}`,
    `# Windows: Import-Certificate -FilePath ${powershellQuote(ctx.caCertPath)} -CertStoreLocation Cert:\\CurrentUser\\Root`,
    '# Undo: unset HTTPS_PROXY https_proxy NO_PROXY no_proxy SSL_CERT_FILE; A) sudo rm /usr/local/share/ca-certificates/appinsights-auth-proxy.crt',
    '#   && sudo update-ca-certificates --fresh; Windows: remove the certificate from CurrentUser\\Root (certmgr.msc)',
  ];
}

function curl(ctx: SetupContext): string[] {
  const auth = ctx.proxyAuth ? ` --proxy-user ${q(ctx.proxyAuth)}` : '';
  return [
    '# curl: one request through the proxy, trusting this CA for it (--cacert replaces the default roots',
    '# for this call; fine for the hosts the proxy decrypts)',
    `curl -x http://${urlHostPort(ctx)}${auth} --cacert ${q(ctx.caCertPath)} -H 'Content-Type: application/json' -d '[]' https://dc.services.visualstudio.com/v2.1/track`,
    '# the proxy itself:',
    `curl http://${urlHostPort(ctx)}/healthz`,
    '# Undo: nothing was changed.',
  ];
}

const BY_RUNTIME: Record<Runtime, (ctx: SetupContext) => string[]> = { java, node, python, dotnet, curl };

export function setupInstructions(runtime: Runtime, ctx: SetupContext): string {
  return `${BY_RUNTIME[runtime](ctx).join('\n')}\n`;
}
