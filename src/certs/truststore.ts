import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { makeDirectories } from '../sinks/directories';
import type { CertificateAuthority } from './ca';
import { findJdk, listWithKeytool, type NamedCert } from './jdk';
import { readKeystoreCerts } from './keystore-reader';
import { UsageError } from '../model/usage-error';
import { buildPkcs12TrustStore } from './pkcs12-truststore';

export const TRUSTSTORE_FILE = 'truststore.p12';
export const DEFAULT_TRUSTSTORE_PASSWORD = 'changeit';
/** Alias of our CA inside the truststore (keytool -list shows it). */
export const CA_ALIAS = 'appinsights-auth-proxy-ca';

export interface DefaultRoots {
  certs: NamedCert[];
  /** Where they came from, for the user: a cacerts path, or Node's bundled Mozilla roots. */
  source: string;
}

export interface DefaultRootsOptions {
  /** A specific default store (a JDK's cacerts, or a copy); else the JDK found on this machine. */
  cacerts?: string;
  /** Its password (JDK default: changeit). */
  cacertsPassword?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The roots a JVM trusts by default: the JDK's cacerts (via keytool, else read directly). Without
 * any JDK (e.g. inside the proxy's own container) Node's bundled Mozilla roots stand in: they are
 * the same CA program the JDK's list is drawn from.
 */
export async function loadDefaultRoots(options: DefaultRootsOptions = {}): Promise<DefaultRoots> {
  const password = options.cacertsPassword ?? DEFAULT_TRUSTSTORE_PASSWORD;
  const jdk = findJdk(options.env);
  const cacerts = options.cacerts ?? jdk?.cacerts;
  if (cacerts) {
    try {
      const certs = jdk?.keytool
        ? await listWithKeytool(jdk.keytool, cacerts, password)
        : readKeystoreCerts(cacerts, password);
      return { certs, source: cacerts };
    } catch (err) {
      const why = (err as Error).message;
      if (options.cacerts !== undefined)
        throw new UsageError(
          `--cacerts ${cacerts}: ${why} (expected a Java keystore, JKS or PKCS12, and its --cacerts-password)`,
        );
      // The JDK's own store with the user's password: the password is the input to check.
      if (options.cacertsPassword !== undefined)
        throw new UsageError(
          `the JDK trust store ${cacerts}: ${why}. Fix: check --cacerts-password (a JDK's own cacerts uses changeit)`,
        );
      throw err;
    }
  }
  const certs = rootCertificates.map((pem, i) => ({ alias: `node-root-${i + 1}`, pem }));
  return { certs, source: 'Node.js bundled Mozilla roots (no JDK found)' };
}

export interface TrustStoreResult {
  file: string;
  entries: number;
  defaultRootsSource: string;
}

function sameCert(a: string, b: string): boolean {
  return new X509Certificate(a).fingerprint256 === new X509Certificate(b).fingerprint256;
}

/** Writes `<file>`: our CA plus the default roots, so non-intercepted TLS (token calls...) keeps working. */
export async function writeTrustStore(
  ca: CertificateAuthority,
  file: string,
  password = DEFAULT_TRUSTSTORE_PASSWORD,
  rootsOptions: DefaultRootsOptions = {},
): Promise<TrustStoreResult> {
  const roots = await loadDefaultRoots(rootsOptions);
  const others = roots.certs.filter((c) => !sameCert(c.pem, ca.certPem));
  const certs = [{ alias: CA_ALIAS, pem: ca.certPem }, ...others];
  const data = buildPkcs12TrustStore(certs, password);
  makeDirectories(path.dirname(file)); // not fs.mkdir(recursive): it can retry forever (/proc)
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data, { mode: 0o644 });
  await fs.rename(tmp, file);
  return { file, entries: certs.length, defaultRootsSource: roots.source };
}

/** The truststore path next to the CA (what the startup line's javaFlags advertise). */
export function defaultTrustStorePath(ca: CertificateAuthority): string {
  return path.join(ca.dir, TRUSTSTORE_FILE);
}
