import path from 'node:path';
import { CA_CERT_FILE } from '../certs/ca';
import { JAVA_NON_PROXY_HOSTS } from '../certs/setup-instructions';
import { TRUSTSTORE_FILE } from '../certs/truststore';
import { shellWord } from '../model/shell-word';

/**
 * What the start-up banner tells the APP to use. In a container the proxy listens on 0.0.0.0 and
 * keeps its CA key in a volume the app never mounts: the app reaches the proxy by a service name
 * (compose) or 127.0.0.1 (a pod), and finds ca.pem and the truststore where IT mounts the public
 * volume. --advertise-host and --advertise-trust-dir say so; without them, a local run advertises
 * the listen address and the CA directory, as before.
 */
export interface AdvertiseOptions {
  listenHost: string;
  port: number;
  caDir: string;
  advertiseHost?: string;
  advertiseTrustDir?: string;
  /** The proxy asks for --proxy-auth credentials: the printed URL must carry them. */
  proxyAuth?: boolean;
}

export interface Advertised {
  proxyHost: string;
  /** Where the app finds ca.pem and truststore.p12. */
  trustDir: string;
  javaFlags: string;
  env: string;
  /** Set when the banner cannot know the app's address (wildcard listen, no --advertise-host). */
  hint?: string;
}

/** The placeholder printed instead of a wildcard listen address, which no client can connect to. */
export const UNKNOWN_PROXY_HOST = '<proxy-host>';

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '[::]';
const hostForUrl = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** The one-line JVM flags that point a Java app (and its agent) at this proxy, shell-quoted. */
export function javaFlags(proxyHost: string, port: number, trustDir: string): string {
  return [
    `-Dhttps.proxyHost=${proxyHost}`,
    `-Dhttps.proxyPort=${port}`,
    `'-Dhttp.nonProxyHosts=${JAVA_NON_PROXY_HOSTS}'`,
    shellWord(`-Djavax.net.ssl.trustStore=${path.posix.join(trustDir, TRUSTSTORE_FILE)}`),
    '-Djavax.net.ssl.trustStoreType=PKCS12', // Java 8 defaults to JKS
    '-Djavax.net.ssl.trustStorePassword=changeit',
  ].join(' ');
}

export function advertised(options: AdvertiseOptions): Advertised {
  const wildcard = isWildcard(options.listenHost);
  const proxyHost = options.advertiseHost ?? (wildcard ? UNKNOWN_PROXY_HOST : options.listenHost);
  const trustDir = options.advertiseTrustDir ?? path.resolve(options.caDir);
  const result: Advertised = {
    proxyHost,
    trustDir,
    javaFlags: javaFlags(proxyHost, options.port, trustDir),
    // <user>:<password> stands for the --proxy-auth value, which is never printed.
    env: `HTTPS_PROXY=${options.proxyAuth ? `'http://<user>:<password>@${hostForUrl(proxyHost)}:${options.port}'` : `http://${hostForUrl(proxyHost)}:${options.port}`} NODE_EXTRA_CA_CERTS=${shellWord(path.posix.join(trustDir, CA_CERT_FILE))}`,
  };
  const hints: string[] = [];
  if (!options.advertiseHost && wildcard)
    hints.push(
      `listening on ${options.listenHost}: apps cannot use that address; start with --advertise-host NAME (the compose service name, 127.0.0.1 in a pod) to print the settings they need`,
    );
  if (options.proxyAuth)
    hints.push(
      'the proxy asks for the --proxy-auth credentials: put them in place of <user>:<password> in HTTPS_PROXY (URL-encoded); a JVM needs them in its own way: ca setup java --proxy-auth USER:PASS prints it',
    );
  if (hints.length) result.hint = hints.join('; ');
  return result;
}
