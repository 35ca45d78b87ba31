import { promises as fs } from 'node:fs';
import path from 'node:path';
import { makeDirectories } from '../sinks/directories';
import type { CertificateAuthority } from './ca';
import { buildPkcs12TrustStore } from './pkcs12-truststore';
import { CA_ALIAS, DEFAULT_TRUSTSTORE_PASSWORD } from './truststore';

export const EXPORT_FORMATS = ['pem', 'der', 'p12'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * The CA certificate (never its key) in the given format. p12 holds only this CA, as a
 * keytool-style trusted entry: fine to import (Windows, macOS, keytool -importkeystore), but as a
 * Java truststore on its own it would break every TLS call the proxy does not intercept.
 */
export function caCertificateBytes(ca: CertificateAuthority, format: ExportFormat, password = DEFAULT_TRUSTSTORE_PASSWORD): Buffer {
  switch (format) {
    case 'pem':
      return Buffer.from(ca.certPem);
    case 'der':
      return Buffer.from(ca.certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), 'base64');
    case 'p12':
      return buildPkcs12TrustStore([{ alias: CA_ALIAS, pem: ca.certPem }], password);
  }
}

export async function exportCaCertificate(
  ca: CertificateAuthority,
  format: ExportFormat,
  out: string,
  password?: string,
): Promise<string> {
  const file = path.resolve(out);
  makeDirectories(path.dirname(file)); // not fs.mkdir(recursive): it can retry forever (/proc)
  await fs.writeFile(file, caCertificateBytes(ca, format, password), { mode: 0o644 });
  return file;
}
