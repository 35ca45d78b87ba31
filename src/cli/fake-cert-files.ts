import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFlagFile } from './flag-file';
import { UsageError } from './usage-error';

/**
 * fake-ingestion's --cert and --key, checked before anything listens. A lone --cert or --key, a
 * file that is not PEM, or a key of another certificate used to stop the fake with exit 1 and
 * OpenSSL's words ("PEM routines::no start line"), the flag unnamed. Each is now a usage error
 * (exit 2) naming the flag; a key file's text is never quoted.
 */
export function readCertAndKey(certFile?: string, keyFile?: string): { cert?: string; key?: string } {
  if (certFile === undefined && keyFile === undefined) return {};
  if (keyFile === undefined)
    throw new UsageError('--cert needs --key: the PEM private key of that certificate');
  if (certFile === undefined) throw new UsageError('--key needs --cert: the PEM certificate of that key');
  const cert = readFlagFile('--cert', certFile).toString('utf8');
  const key = readFlagFile('--key', keyFile).toString('utf8');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new UsageError(`--cert ${certFile}: not a PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new UsageError(`--key ${keyFile}: not an unencrypted PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new UsageError(`--key ${keyFile} is not the private key of --cert ${certFile}`);
  }
  return { cert, key };
}
