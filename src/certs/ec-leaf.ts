import { createPublicKey, type KeyObject, sign } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

/**
 * node-forge builds certificates for RSA keys only. To give leaves an ECDSA key (much cheaper TLS
 * handshakes) we let forge build the to-be-signed part with a stand-in RSA key, swap in the EC
 * SubjectPublicKeyInfo, and sign the result with the (RSA) issuer key through OpenSSL.
 */
export class EcLeafSigner {
  private readonly ecSpki: forge.asn1.Asn1;
  /** Any RSA public key: forge needs one to encode the certificate, and it is replaced. */
  readonly standInPublicKey: forge.pki.rsa.PublicKey;

  constructor(
    ecPublicKeyPem: string,
    private readonly issuerKey: KeyObject,
  ) {
    const der = createPublicKey(ecPublicKeyPem).export({ type: 'spki', format: 'der' });
    this.ecSpki = asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const issuerPublicPem = createPublicKey(issuerKey).export({ type: 'spki', format: 'pem' }) as string;
    this.standInPublicKey = forge.pki.publicKeyFromPem(issuerPublicPem) as forge.pki.rsa.PublicKey;
  }

  /** Signs `cert` (built by forge with `standInPublicKey`) as a certificate for the EC key. */
  toPem(cert: forge.pki.Certificate): string {
    // What forge's own sign() would set first: the signature algorithm inside the TBS part.
    cert.siginfo.algorithmOid = SHA256_WITH_RSA;
    cert.signatureOid = SHA256_WITH_RSA;
    const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
    const fields = tbs.value as forge.asn1.Asn1[];
    // [0] version, serial, signature algorithm, issuer, validity, subject, subjectPublicKeyInfo, [3] extensions
    fields[6] = this.ecSpki;
    const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
    const signature = sign('sha256', tbsDer, this.issuerKey);
    const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_WITH_RSA).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]);
    const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      tbs,
      algorithm,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
    ]);
    return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(certificate).getBytes() });
  }
}
