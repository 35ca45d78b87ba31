import { promises as fs } from 'node:fs';
import type { CertificateAuthority } from './ca';
import { findJdk } from './jdk';
import { defaultTrustStorePath, writeTrustStore } from './truststore';

interface StartupLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * At `start`: when a JDK is on this machine and `<ca-dir>/truststore.p12` is missing (or older than
 * the CA), write it, so the -Djavax.net.ssl.trustStore the startup line advertises exists. Without
 * a JDK nothing is written (`ca truststore` makes it on demand). Never fatal.
 */
export async function ensureTrustStoreAtStartup(ca: CertificateAuthority, logger: StartupLogger): Promise<void> {
  const file = defaultTrustStorePath(ca);
  const [storeTime, caTime] = await Promise.all([mtimeMs(file), mtimeMs(ca.certPath)]);
  if (storeTime !== undefined && caTime !== undefined && storeTime >= caTime) return;
  if (!findJdk()) return;
  try {
    const result = await writeTrustStore(ca, file);
    logger.info(
      { truststore: result },
      `wrote the Java truststore ${file}: this CA + ${result.entries - 1} default roots from ${result.defaultRootsSource}`,
    );
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      `could not write the Java truststore ${file}; run "appinsights-auth-proxy ca truststore" to see why`,
    );
  }
}
