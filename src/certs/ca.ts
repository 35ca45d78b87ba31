import { X509Certificate, createHash } from 'node:crypto';
import { promises as fs, constants as fsc } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { generateRsaKeyPair } from './keys';
import { nativeSigner } from './native-signer';
import { nameConstraintsExtension } from './name-constraints';
import { positiveSerialHex } from './serial';

/** The proxy's certificate authority, as loaded from (or written to) the CA directory. */
export interface CertificateAuthority {
  dir: string;
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  /** SHA-256 fingerprint, colon-separated upper-case hex (as keytool and browsers show it). */
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
  /** DNS domains the CA may vouch for; undefined when the CA is unconstrained. */
  permittedDomains?: string[];
}

export interface CreateCaOptions {
  /** Permit only these DNS domains (and their sub-domains) in leaves: X.509 Name Constraints. */
  permittedDomains?: string[];
  validityYears?: number;
}

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca.key';

function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsc.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Reads the permitted DNS names back from a CA certificate's Name Constraints, if any. */
function readPermittedDomains(cert: forge.pki.Certificate): string[] | undefined {
  const ext = cert.getExtension({ id: '2.5.29.30' } as any) as { value?: string } | undefined;
  if (!ext?.value) return undefined;
  const seq = forge.asn1.fromDer(ext.value);
  const domains: string[] = [];
  for (const part of seq.value as forge.asn1.Asn1[]) {
    if (part.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || part.type !== 0) continue; // permittedSubtrees
    for (const subtree of part.value as forge.asn1.Asn1[]) {
      const base = (subtree.value as forge.asn1.Asn1[])[0];
      if (base && base.type === 2 && typeof base.value === 'string') domains.push(base.value);
      // iPAddress with a full IPv4 mask: an exact address (loopback ranges are implicit).
      if (base && base.type === 7 && typeof base.value === 'string' && base.value.length === 8) {
        const bytes = [...base.value].map((c) => c.charCodeAt(0));
        if (bytes.slice(4).every((b) => b === 255)) domains.push(bytes.slice(0, 4).join('.'));
      }
    }
  }
  return domains;
}

function toAuthority(dir: string, certPem: string, keyPem: string): CertificateAuthority {
  const cert = forge.pki.certificateFromPem(certPem);
  return {
    dir,
    certPath: path.join(dir, CA_CERT_FILE),
    keyPath: path.join(dir, CA_KEY_FILE),
    certPem,
    keyPem,
    cert,
    fingerprint256: fingerprintOf(certPem),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    permittedDomains: readPermittedDomains(cert),
  };
}

/** Writes a file atomically with the given mode (the key is never readable by others, not even briefly). */
async function writePrivate(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, data, { mode, flag: 'wx' });
  await fs.chmod(tmp, mode);
  await fs.rename(tmp, file);
}

export async function createCa(dir: string, options: CreateCaOptions = {}): Promise<CertificateAuthority> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.chmod(dir, 0o700);
  const { privateKeyPem, publicKeyPem } = await generateRsaKeyPair(2048);
  const publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = positiveSerialHex();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now + (options.validityYears ?? 10) * 365.25 * 24 * 3600 * 1000);
  // A unique, self-describing subject: several installs stay distinguishable in trust stores.
  const tag = createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 8);
  const attrs = [
    { name: 'commonName', value: `appinsights-auth-proxy local debugging CA ${tag}` },
    { name: 'organizationName', value: 'appinsights-auth-proxy' },
    {
      shortName: 'OU',
      value: `MITM CA for Application Insights traffic on ${os.hostname().slice(0, 40)}; trust only while debugging`,
    },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const constrained = (options.permittedDomains?.length ?? 0) > 0;
  const extensions: any[] = [
    // A constrained CA signs leaves through an intermediate (see signing-authority.ts): path length 1.
    { name: 'basicConstraints', cA: true, pathLenConstraint: constrained ? 1 : 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (constrained) {
    extensions.push(nameConstraintsExtension(options.permittedDomains!));
  }
  cert.setExtensions(extensions);
  cert.sign(nativeSigner(privateKeyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  await writePrivate(path.join(dir, CA_KEY_FILE), privateKeyPem, 0o600);
  await fs.writeFile(path.join(dir, CA_CERT_FILE), certPem, { mode: 0o644 });
  return toAuthority(dir, certPem, privateKeyPem);
}

export async function loadCa(dir: string): Promise<CertificateAuthority | undefined> {
  const certPath = path.join(dir, CA_CERT_FILE);
  const keyPath = path.join(dir, CA_KEY_FILE);
  if (!(await exists(certPath)) || !(await exists(keyPath))) return undefined;
  const [certPem, keyPem] = await Promise.all([fs.readFile(certPath, 'utf8'), fs.readFile(keyPath, 'utf8')]);
  return toAuthority(dir, certPem, keyPem);
}

/** Loads the CA from `dir`, or creates it there on first use. */
export async function loadOrCreateCa(
  dir: string,
  options: CreateCaOptions = {},
): Promise<{ ca: CertificateAuthority; created: boolean }> {
  const existing = await loadCa(dir);
  if (existing) return { ca: existing, created: false };
  return { ca: await createCa(dir, options), created: true };
}
