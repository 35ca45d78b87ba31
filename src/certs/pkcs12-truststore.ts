import forge from 'node-forge';
import type { NamedCert } from './jdk';

const { asn1 } = forge;
const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  sha1: '1.3.14.3.2.26',
  // Oracle's "trusted key usage" bag attribute: without it Java's PKCS12 keystore ignores a
  // certificate that has no private key (why mitmproxy's .p12 is no Java truststore).
  oracleTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
};

const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (inner: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const integer = (n: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());

function pemToDerBytes(pem: string): string {
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return Buffer.from(b64, 'base64').toString('binary');
}

/** A SafeBag holding one certificate as a keytool-style trustedCertEntry. */
function trustedCertBag(cert: NamedCert): forge.asn1.Asn1 {
  const certBag = seq([oid(OID.x509Certificate), explicit0(octets(pemToDerBytes(cert.pem)))]);
  const attributes = set([
    seq([oid(OID.friendlyName), set([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, cert.alias)])]),
    seq([oid(OID.oracleTrustedKeyUsage), set([oid(OID.anyExtendedKeyUsage)])]),
  ]);
  return seq([oid(OID.certBag), explicit0(certBag), attributes]);
}

/** Aliases as Java sees them: lower case and unique (a duplicate would silently replace an entry). */
function uniqueAliases(certs: NamedCert[]): NamedCert[] {
  const seen = new Set<string>();
  return certs.map((c) => {
    const base = c.alias.toLowerCase().trim() || 'cert';
    let alias = base;
    for (let n = 2; seen.has(alias); n++) alias = `${base}-${n}`;
    seen.add(alias);
    return { alias, pem: c.pem };
  });
}

/**
 * A PKCS12 trust store (unencrypted certificate bags, HMAC-SHA1 integrity with `password`) that
 * Java 8+ and keytool load as trustedCertEntry items. SHA-1 for the MAC keeps older Java 8 builds
 * working; the store holds only public certificates.
 */
export function buildPkcs12TrustStore(certs: NamedCert[], password: string): Buffer {
  const safeContents = seq(uniqueAliases(certs).map(trustedCertBag));
  const authSafe = seq([seq([oid(OID.data), explicit0(octets(asn1.toDer(safeContents).getBytes()))])]);
  const authSafeDer = asn1.toDer(authSafe).getBytes();
  const salt = forge.random.getBytesSync(20);
  const iterations = 10000;
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt), 3, iterations, 20);
  const hmac = forge.hmac.create();
  hmac.start(forge.md.sha1.create(), macKey);
  hmac.update(authSafeDer);
  const macData = seq([
    seq([seq([oid(OID.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(hmac.digest().getBytes())]),
    octets(salt),
    integer(iterations),
  ]);
  const pfx = seq([integer(3), seq([oid(OID.data), explicit0(octets(authSafeDer))]), macData]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}
