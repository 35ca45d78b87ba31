import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { promises as fs, constants as fsc } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDirectories } from '../sinks/directories';
import forge from 'node-forge';
import { generateRsaKeyPair } from './keys';
import { nativeSigner } from './native-signer';
import { nameConstraintsExtension } from './name-constraints';
import { positiveSerialHex } from './serial';
import { UsageError } from '../model/usage-error';
import { caDirError, checkKeyMode, type CaWarning } from './ca-files';
import { shellWord } from '../model/shell-word';

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
  /**
   * The constrained intermediate whose key `ca.key` holds (a constrained CA since this layout):
   * the root's own key was thrown away once it had signed it. Clients trust the root (`ca.pem`);
   * every leaf chains through this certificate, whose name constraints every client, Java
   * included, enforces. So a leaked `ca.key` can sign only for the permitted domains.
   */
  signerCertPem?: string;
}

export interface CreateCaOptions {
  /** Permit only these DNS domains (and their sub-domains) in leaves: X.509 Name Constraints. */
  permittedDomains?: string[];
  validityYears?: number;
}

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca.key';
export const CA_SIGNER_FILE = 'ca-signer.pem';

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

function toAuthority(dir: string, certPem: string, keyPem: string, signerCertPem?: string): CertificateAuthority {
  const cert = forge.pki.certificateFromPem(certPem);
  return {
    ...(signerCertPem ? { signerCertPem } : {}),
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

function caSubject(publicKeyPem: string, role: 'root' | 'signer'): forge.pki.CertificateField[] {
  // A unique, self-describing subject: several installs stay distinguishable in trust stores.
  const tag = createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 8);
  if (role === 'signer') {
    return [
      { name: 'commonName', value: `appinsights-auth-proxy leaf signer ${tag}` },
      { name: 'organizationName', value: 'appinsights-auth-proxy' },
    ];
  }
  return [
    { name: 'commonName', value: `appinsights-auth-proxy local debugging CA ${tag}` },
    { name: 'organizationName', value: 'appinsights-auth-proxy' },
    {
      shortName: 'OU',
      value: `MITM CA for Application Insights traffic on ${os.hostname().slice(0, 40)}; trust only while debugging`,
    },
  ];
}

function caCertificate(
  publicKeyPem: string,
  subject: forge.pki.CertificateField[],
  issuer: { subject: forge.pki.CertificateField[]; keyPem: string; keyIdentifier?: string },
  pathLen: number,
  notAfter: Date,
  permittedDomains?: string[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = positiveSerialHex();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = notAfter;
  cert.setSubject(subject);
  cert.setIssuer(issuer.subject);
  const extensions: any[] = [
    { name: 'basicConstraints', cA: true, pathLenConstraint: pathLen, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (issuer.keyIdentifier) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: issuer.keyIdentifier });
  if (permittedDomains?.length) extensions.push(nameConstraintsExtension(permittedDomains));
  cert.setExtensions(extensions);
  cert.sign(nativeSigner(issuer.keyPem), forge.md.sha256.create());
  return cert;
}

/**
 * Creates the CA in `dir`. A constrained CA is a root and a constrained intermediate (the signer):
 * the root signs the signer once and its key is then discarded, so `ca.key` is the signer's key.
 * Java ignores name constraints on the certificate it trusts (the root) but enforces them on the
 * signer, which sits inside every path. An unconstrained CA (--ca-unconstrained) is one root.
 */
export async function createCa(dir: string, options: CreateCaOptions = {}): Promise<CertificateAuthority> {
  await ensureCaDir(dir);
  const notAfter = new Date(Date.now() + (options.validityYears ?? 10) * 365.25 * 24 * 3600 * 1000);
  const root = await generateRsaKeyPair(2048);
  const rootSubject = caSubject(root.publicKeyPem, 'root');
  const constrained = (options.permittedDomains?.length ?? 0) > 0;
  const rootCert = caCertificate(
    root.publicKeyPem,
    rootSubject,
    { subject: rootSubject, keyPem: root.privateKeyPem },
    constrained ? 1 : 0,
    notAfter,
    options.permittedDomains,
  );
  const certPem = forge.pki.certificateToPem(rootCert);
  let keyPem = root.privateKeyPem;
  let signerCertPem: string | undefined;
  if (constrained) {
    const signer = await generateRsaKeyPair(2048);
    const signerCert = caCertificate(
      signer.publicKeyPem,
      caSubject(signer.publicKeyPem, 'signer'),
      {
        subject: rootSubject,
        keyPem: root.privateKeyPem,
        keyIdentifier: rootCert.generateSubjectKeyIdentifier().getBytes(),
      },
      0,
      notAfter,
      options.permittedDomains,
    );
    signerCertPem = forge.pki.certificateToPem(signerCert);
    keyPem = signer.privateKeyPem; // the root's key goes no further than this function
  }
  const certPath = path.join(dir, CA_CERT_FILE);
  const keyPath = path.join(dir, CA_KEY_FILE);
  const signerPath = path.join(dir, CA_SIGNER_FILE);
  await writeOrExplain(keyPath, () => writePrivate(keyPath, keyPem, 0o600));
  if (signerCertPem) await writeOrExplain(signerPath, () => writePublic(signerPath, signerCertPem!));
  else await fs.rm(signerPath, { force: true });
  // ca.pem last: a CA directory with ca.pem is complete.
  await writeOrExplain(certPath, () => writePublic(certPath, certPem));
  return toAuthority(dir, certPem, keyPem, signerCertPem);
}

async function writePublic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, data, { mode: 0o644 });
  await fs.rename(tmp, file);
}

async function writeOrExplain(file: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    throw caDirError(file, err as NodeJS.ErrnoException, 'write');
  }
}

/**
 * A directory we create is private (0700). One that exists is the user's: it is left as it is
 * (it may be shared on purpose); the key file inside is 0600 either way.
 */
async function ensureCaDir(dir: string): Promise<void> {
  if (await exists(dir)) return;
  try {
    // Not fs.mkdir(recursive): under /proc it retries forever (see makeDirectories).
    makeDirectories(dir, 0o700);
  } catch (err) {
    // A parent's ENOENT can hide the cause (a read-only parent): one plain mkdir gives it.
    const real = await fs.mkdir(dir, { mode: 0o700 }).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    if (real) throw caDirError(dir, real.code === 'ENOENT' ? (err as NodeJS.ErrnoException) : real, 'create');
  }
}

async function readOrExplain(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw caDirError(file, err as NodeJS.ErrnoException, 'read');
  }
}

function spki(key: ReturnType<typeof createPublicKey>): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

const RECREATE = (dir: string) =>
  `re-create the CA with: appinsights-auth-proxy ca init --force --ca-dir ${shellWord(dir)} (then make your clients trust the new ca.pem)`;

/** Parses and cross-checks the CA files: a bad file or a key of another certificate is refused. */
function checkedAuthority(dir: string, certPem: string, keyPem: string, signerCertPem?: string): CertificateAuthority {
  const certPath = path.join(dir, CA_CERT_FILE);
  const keyPath = path.join(dir, CA_KEY_FILE);
  const signerPath = path.join(dir, CA_SIGNER_FILE);
  let root: X509Certificate;
  let signer: X509Certificate | undefined;
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    root = new X509Certificate(certPem);
    forge.pki.certificateFromPem(certPem);
  } catch (err) {
    throw new UsageError(`${certPath} is not a PEM certificate (${(err as Error).message}). Fix: restore it, or ${RECREATE(dir)}`);
  }
  if (signerCertPem !== undefined) {
    try {
      signer = new X509Certificate(signerCertPem);
    } catch (err) {
      throw new UsageError(`${signerPath} is not a PEM certificate (${(err as Error).message}). Fix: restore it, or ${RECREATE(dir)}`);
    }
    if (!signer.checkIssued(root) || !signer.verify(root.publicKey)) {
      throw new UsageError(`${signerPath} was not signed by ${certPath}: the two files come from different CAs. Fix: restore the matching files, or ${RECREATE(dir)}`);
    }
  }
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (err) {
    throw new UsageError(`${keyPath} is not a PEM private key (${(err as Error).message}). Fix: restore it, or ${RECREATE(dir)}`);
  }
  const holder = signer ?? root;
  if (spki(createPublicKey(privateKey)) !== spki(holder.publicKey)) {
    throw new UsageError(
      `${keyPath} is not the key of ${signer ? signerPath : certPath}: every client would reject the proxy's certificates. Fix: put back the ${signer ? 'key that belongs to it' : `missing ${signerPath} (ca.key is its key in a CA of this version) or the key that belongs to ${certPath}`}, or ${RECREATE(dir)}`,
    );
  }
  return toAuthority(dir, certPem, keyPem, signerCertPem);
}

/**
 * Loads the CA from `dir`; undefined when the directory holds none. A half CA (a certificate
 * without its key, or the reverse), unreadable or garbage files, and a key that is not the
 * certificate's are refused with the file and the fix (exit 2): never silently replaced.
 */
export async function loadCa(dir: string, warn: (w: CaWarning) => void = () => undefined): Promise<CertificateAuthority | undefined> {
  const certPath = path.join(dir, CA_CERT_FILE);
  const keyPath = path.join(dir, CA_KEY_FILE);
  const signerPath = path.join(dir, CA_SIGNER_FILE);
  const [hasCert, hasKey, hasSigner] = await Promise.all([exists(certPath), exists(keyPath), exists(signerPath)]);
  if (!hasCert && !hasKey) return undefined;
  if (!hasKey) {
    throw new UsageError(
      `${certPath} exists but its private key ${keyPath} is missing. The proxy will not replace a CA your clients may trust; ${RECREATE(dir)}`,
    );
  }
  if (!hasCert) {
    throw new UsageError(`${keyPath} exists but its certificate ${certPath} is missing; ${RECREATE(dir)}`);
  }
  await checkKeyMode(keyPath, warn);
  const [certPem, keyPem, signerCertPem] = await Promise.all([
    readOrExplain(certPath),
    readOrExplain(keyPath),
    hasSigner ? readOrExplain(signerPath) : Promise.resolve(undefined),
  ]);
  const ca = checkedAuthority(dir, certPem, keyPem, signerCertPem);
  if (ca.permittedDomains?.length && !ca.signerCertPem) {
    warn({
      file: keyPath,
      message: `${keyPath} is the key of a constrained root (a CA made before the signer layout): Java ignores name constraints on a trusted root, so a JVM trusting this CA would accept any site signed with this key. To close that, ${RECREATE(dir)}`,
    });
  }
  return ca;
}

/** Loads the CA from `dir`, or creates it there on first use. */
export async function loadOrCreateCa(
  dir: string,
  options: CreateCaOptions = {},
  warn: (w: CaWarning) => void = () => undefined,
): Promise<{ ca: CertificateAuthority; created: boolean }> {
  const existing = await loadCa(dir, warn);
  if (existing) return { ca: existing, created: false };
  return { ca: await createCa(dir, options), created: true };
}
