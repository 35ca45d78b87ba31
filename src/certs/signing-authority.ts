import { createHash } from 'node:crypto';
import forge from 'node-forge';
import type { CertificateAuthority } from './ca';
import { generateRsaKeyPair } from './keys';
import { nativeSigner } from './native-signer';
import { positiveSerialHex } from './serial';

const DAY = 24 * 3600 * 1000;
const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** Who signs the leaves: the CA itself, or an intermediate below it (then sent along as `chainPem`). */
export interface SigningAuthority {
  subject: forge.pki.CertificateField[];
  keyPem: string;
  /** Subject key identifier of the signer (bytes), for the leaves' authorityKeyIdentifier. */
  keyIdentifier: string;
  notAfter: Date;
  /** PEM certificates to send after the leaf ('' when the CA signs directly). */
  chainPem: string;
}

function caSigns(ca: CertificateAuthority): SigningAuthority {
  return {
    subject: ca.cert.subject.attributes,
    keyPem: ca.keyPem,
    keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes(),
    notAfter: ca.notAfter,
    chainPem: '',
  };
}

/**
 * For a CA made before the signer layout (its ca.key is the root's key):
 * Java's PKIX validator ignores Name Constraints on a trust anchor (the CA a truststore holds); it
 * enforces them only on certificates inside the path. So a constrained CA (whose path length
 * allows it) signs leaves through a per-process intermediate that carries the same constraints:
 * OpenSSL-based clients check the root's, Java checks the intermediate's. Clients trust only the
 * root, so the intermediate can be ephemeral.
 */
export async function signingAuthorityFor(ca: CertificateAuthority): Promise<SigningAuthority> {
  // The signer layout (ca.ts): ca.key is the persistent constrained intermediate's key.
  if (ca.signerCertPem) {
    const signer = forge.pki.certificateFromPem(ca.signerCertPem);
    return {
      subject: signer.subject.attributes,
      keyPem: ca.keyPem,
      keyIdentifier: signer.generateSubjectKeyIdentifier().getBytes(),
      notAfter: signer.validity.notAfter,
      chainPem: ca.signerCertPem,
    };
  }
  const constraints = ca.cert.getExtension({ id: NAME_CONSTRAINTS_OID } as any) as { value?: string } | undefined;
  const basic = ca.cert.getExtension('basicConstraints') as { pathLenConstraint?: number } | undefined;
  if (!constraints?.value || basic?.pathLenConstraint === 0) return caSigns(ca);
  const { privateKeyPem, publicKeyPem } = await generateRsaKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = positiveSerialHex();
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = ca.notAfter;
  const tag = createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 8);
  const subject = [
    { name: 'commonName', value: `appinsights-auth-proxy leaf signer ${tag}` },
    { name: 'organizationName', value: 'appinsights-auth-proxy' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
    { id: NAME_CONSTRAINTS_OID, critical: true, value: constraints.value },
  ]);
  cert.sign(nativeSigner(ca.keyPem), forge.md.sha256.create());
  return {
    subject: cert.subject.attributes,
    keyPem: privateKeyPem,
    keyIdentifier: cert.generateSubjectKeyIdentifier().getBytes(),
    notAfter: ca.notAfter,
    chainPem: forge.pki.certificateToPem(cert),
  };
}
