import { readFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';
import { createCa, type CertificateAuthority } from '../../src/certs/ca';
import { permittedDomainsFor } from '../../src/certs/ca-constraints';
import { generateRsaKeyPair } from '../../src/certs/keys';
import { nameConstraintsExtension } from '../../src/certs/name-constraints';
import { nativeSigner } from '../../src/certs/native-signer';
import { writeTrustStore } from '../../src/certs/truststore';
import { tempDir } from '../helpers/tmp';
import { compileJavaPrograms, java } from './java';

/**
 * The README's claim: a leaked CA key cannot impersonate other sites. An attacker holds
 * `certs/ca.key` and signs a leaf for a foreign name themselves. A real JVM trusting
 * `truststore.p12`, and Node (OpenSSL) trusting `ca.pem`, must both refuse it.
 * The control proves the JVM really ignores constraints on a trust anchor: with the key of a
 * constrained *root* (the layout before the signer), the same forgery is accepted by Java.
 */

const FOREIGN = 'www.example.com';
const PERMITTED = 'westus-0.in.applicationinsights.azure.com';
const DAY = 24 * 3600 * 1000;

interface Issuer {
  subject: forge.pki.CertificateField[];
  keyPem: string;
}

async function forgeCert(
  name: string,
  issuer: Issuer,
  options: { ca?: boolean } = {},
): Promise<{ certPem: string; keyPem: string; subject: forge.pki.CertificateField[] }> {
  const keys = await generateRsaKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = new Date(Date.now() - DAY);
  cert.validity.notAfter = new Date(Date.now() + 30 * DAY);
  const subject = [{ name: 'commonName', value: name }];
  cert.setSubject(subject);
  cert.setIssuer(issuer.subject);
  cert.setExtensions(
    options.ca
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: [{ type: 2, value: name }] },
        ],
  );
  cert.sign(nativeSigner(issuer.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem, subject };
}

async function serve(keyPem: string, chainPem: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer({ key: keyPem, cert: chainPem });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function nodeHandshake(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.end();
      resolve('accepted');
    });
    socket.once('error', (err) => resolve(err.message));
  });
}

describe('a leaked ca.key cannot impersonate another site, to Java or to OpenSSL', () => {
  const tmp = tempDir('aiproxy-leak-');
  let ca: CertificateAuthority;
  let classes: string;
  let truststore: string;
  let javaFlags: string;
  const signerSubject = () => forge.pki.certificateFromPem(ca.signerCertPem!).subject.attributes;
  /** What the attacker has: the key file, and the public certificates next to it. */
  const leakedKey = () => readFileSync(path.join(ca.dir, 'ca.key'), 'utf8');

  beforeAll(async () => {
    ca = await createCa(path.join(tmp.dir, 'certs'), { permittedDomains: permittedDomainsFor([]) });
    truststore = (await writeTrustStore(ca, path.join(tmp.dir, 'truststore.p12'))).file;
    javaFlags = `-Djavax.net.ssl.trustStore=${truststore} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit`;
    classes = await compileJavaPrograms(tmp.dir);
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('ca.key is the constrained signer’s key; the root’s key is nowhere', () => {
    expect(ca.signerCertPem).toBeDefined();
    const signer = forge.pki.certificateFromPem(ca.signerCertPem!);
    expect(signer.getExtension({ id: '2.5.29.30' } as any)).toMatchObject({ critical: true });
    const signerKey = forge.pki.publicKeyToPem(signer.publicKey);
    const leaked = forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(
      (forge.pki.privateKeyFromPem(leakedKey()) as forge.pki.rsa.PrivateKey).n,
      (forge.pki.privateKeyFromPem(leakedKey()) as forge.pki.rsa.PrivateKey).e,
    ));
    expect(leaked).toBe(signerKey);
    expect(leaked).not.toBe(forge.pki.publicKeyToPem(ca.cert.publicKey));
  });

  it('a legitimate leaf through the signer is accepted by Java (the test can say yes)', async () => {
    const leaf = await forgeCert(PERMITTED, { subject: signerSubject(), keyPem: leakedKey() });
    const server = await serve(leaf.keyPem, leaf.certPem + ca.signerCertPem);
    try {
      expect(await nodeHandshake(server.port, PERMITTED, ca.certPem)).toBe('accepted');
      const r = await java(classes, 'TlsProbe', [PERMITTED, String(server.port)], javaFlags);
      expect(r.stdout).toContain(`ACCEPTED ${PERMITTED}`);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('a leaf for a foreign name signed with the leaked key is refused by Java and Node', async () => {
    const leaf = await forgeCert(FOREIGN, { subject: signerSubject(), keyPem: leakedKey() });
    const server = await serve(leaf.keyPem, leaf.certPem + ca.signerCertPem);
    try {
      expect(await nodeHandshake(server.port, FOREIGN, ca.certPem)).toBe('permitted subtree violation');
      const r = await java(classes, 'TlsProbe', [FOREIGN, String(server.port)], javaFlags);
      expect(r.stdout).toMatch(/REJECTED www\.example\.com .*name constraints check failed/);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('an unconstrained intermediate made with the leaked key does not help the attacker', async () => {
    const mid = await forgeCert('attacker intermediate', { subject: signerSubject(), keyPem: leakedKey() }, { ca: true });
    const leaf = await forgeCert(FOREIGN, { subject: mid.subject, keyPem: mid.keyPem });
    const server = await serve(leaf.keyPem, leaf.certPem + mid.certPem + ca.signerCertPem);
    try {
      expect(await nodeHandshake(server.port, FOREIGN, ca.certPem)).not.toBe('accepted');
      const r = await java(classes, 'TlsProbe', [FOREIGN, String(server.port)], javaFlags);
      expect(r.stdout).toContain(`REJECTED ${FOREIGN}`);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('control: with a constrained ROOT’s key (the old layout), Java accepts the forgery', async () => {
    // The layout before the signer: the trusted root's own key on disk. Java does not check the
    // constraints of a trust anchor, which is why ca.key must never be the root's key.
    const keys = await generateRsaKeyPair(2048);
    const root = forge.pki.createCertificate();
    root.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
    root.serialNumber = '0a1b2c3d';
    root.validity.notBefore = new Date(Date.now() - DAY);
    root.validity.notAfter = new Date(Date.now() + 30 * DAY);
    const subject = [{ name: 'commonName', value: 'old-layout constrained root' }];
    root.setSubject(subject);
    root.setIssuer(subject);
    root.setExtensions([
      { name: 'basicConstraints', cA: true, pathLenConstraint: 1, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
      { name: 'subjectKeyIdentifier' },
      nameConstraintsExtension(permittedDomainsFor([])),
    ]);
    root.sign(nativeSigner(keys.privateKeyPem), forge.md.sha256.create());
    const rootPem = forge.pki.certificateToPem(root);
    const old = { ...ca, certPem: rootPem, cert: root, signerCertPem: undefined };
    const oldStore = (await writeTrustStore(old, path.join(tmp.dir, 'old-truststore.p12'))).file;
    const leaf = await forgeCert(FOREIGN, { subject, keyPem: keys.privateKeyPem });
    const server = await serve(leaf.keyPem, leaf.certPem);
    try {
      expect(await nodeHandshake(server.port, FOREIGN, rootPem)).toBe('permitted subtree violation');
      const r = await java(
        classes,
        'TlsProbe',
        [FOREIGN, String(server.port)],
        `-Djavax.net.ssl.trustStore=${oldStore} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit`,
      );
      expect(r.stdout).toContain(`ACCEPTED ${FOREIGN}`);
    } finally {
      await server.close();
    }
  }, 120_000);
});
