import { existsSync } from 'node:fs';
import type { CertificateAuthority } from './ca';
import { caValidityProblem } from './ca-validity';
import { defaultTrustStorePath } from './truststore';

/** What `ca show` prints: where the CA is, how to recognise it, what it may vouch for. */
export function describeCa(ca: CertificateAuthority): string {
  const truststore = defaultTrustStorePath(ca);
  const invalid = caValidityProblem(ca);
  const days = Math.floor((ca.notAfter.getTime() - Date.now()) / (24 * 3600 * 1000));
  const subject = ca.cert.subject.attributes.map((a) => `${a.shortName ?? a.name}=${String(a.value)}`).join(', ');
  return [
    `certificate:  ${ca.certPath}`,
    `private key:  ${ca.keyPath} (never share it)`,
    `subject:      ${subject}`,
    `SHA-256:      ${ca.fingerprint256}`,
    `valid:        ${ca.notBefore.toISOString()} .. ${ca.notAfter.toISOString()} (${invalid ? 'NOT VALID NOW: see the warning' : `${days} days left`})`,
    ca.permittedDomains
      ? `constraints:  may vouch only for ${ca.permittedDomains.join(', ')} (and sub-domains), and loopback addresses`
      : 'constraints:  none: this CA can vouch for ANY site; keep its key safe, or recreate it with "ca init --force"',
    `truststore:   ${existsSync(truststore) ? truststore : `${truststore} (not yet written: "appinsights-auth-proxy ca truststore")`}`,
    '',
  ].join('\n');
}
