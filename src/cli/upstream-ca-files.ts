import { X509Certificate } from 'node:crypto';
import { readFlagFile } from './flag-file';
import { UsageError } from './usage-error';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The --upstream-ca files as PEM certificates. Node's TLS takes a file with no certificate in it
 * (empty, garbage, a private key) without a word, and a DER certificate (a Windows .cer export)
 * as no certificate: every upstream handshake then failed as "unable to get local issuer", far
 * from the flag. Such a file now stops the start naming it; DER is converted to PEM.
 */
export function readUpstreamCaFiles(files: readonly string[]): string[] {
  return files.map((file) => {
    const bytes = readFlagFile('--upstream-ca', file);
    const blocks = bytes.toString('latin1').match(PEM_CERTIFICATE);
    try {
      return (blocks ?? [bytes]).map((cert) => new X509Certificate(cert).toString()).join('');
    } catch {
      // never the file's text: it may be a private key
      throw new UsageError(
        `--upstream-ca ${file}: not a certificate (expected PEM "-----BEGIN CERTIFICATE-----" blocks or one DER certificate)`,
      );
    }
  });
}
