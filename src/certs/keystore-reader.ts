import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import type { NamedCert } from './jdk';

const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

function derToPem(der: Buffer): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

/**
 * The trusted-certificate entries of a JKS/JCEKS file (the format of many JDKs' cacerts). Used when
 * no keytool is at hand. Only public certificates are read, so the store's keyed digest is not checked.
 */
export function readJksTrustedCerts(data: Buffer): NamedCert[] {
  let at = 0;
  const u32 = () => {
    const v = data.readUInt32BE(at);
    at += 4;
    return v;
  };
  const utf = () => {
    const len = data.readUInt16BE(at);
    const s = data.subarray(at + 2, at + 2 + len).toString('utf8');
    at += 2 + len;
    return s;
  };
  const magic = u32();
  if (magic !== JKS_MAGIC && magic !== JCEKS_MAGIC) throw new Error('not a JKS keystore');
  const version = u32();
  const count = u32();
  const certs: NamedCert[] = [];
  const readCert = () => {
    if (version === 2) utf(); // certificate type, "X.509"
    const len = u32();
    const der = data.subarray(at, at + len);
    at += len;
    return der;
  };
  for (let i = 0; i < count; i++) {
    const tag = u32();
    const alias = utf();
    at += 8; // creation date
    if (tag === 2) {
      certs.push({ alias, pem: derToPem(readCert()) });
    } else if (tag === 1) {
      at += u32(); // protected private key
      const chain = u32();
      for (let c = 0; c < chain; c++) readCert();
    } else {
      throw new Error(`JKS entry kind ${tag} (secret key?) is not supported; use keytool`);
    }
  }
  return certs;
}

/** The certificates of a PKCS12 trust store (modern JDKs' cacerts), named by friendlyName. */
export function readPkcs12Certs(data: Buffer, password: string): NamedCert[] {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(data.toString('binary')), false, password);
  const bags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  return bags.map((bag, i) => {
    // forge parses only RSA certificates; for the others (EC roots) it keeps the raw ASN.1.
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag as { asn1?: forge.asn1.Asn1 }).asn1;
    if (!asn1) throw new Error(`PKCS12 certificate bag ${i} holds no certificate`);
    return {
      alias: (bag.attributes.friendlyName?.[0] as string | undefined) ?? `cert-${i}`,
      pem: derToPem(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')),
    };
  });
}

/** Reads a keystore file in either format, by its first bytes. */
export function readKeystoreCerts(file: string, password: string): NamedCert[] {
  const data = readFileSync(file);
  const magic = data.length >= 4 ? data.readUInt32BE(0) : 0;
  return magic === JKS_MAGIC || magic === JCEKS_MAGIC ? readJksTrustedCerts(data) : readPkcs12Certs(data, password);
}
