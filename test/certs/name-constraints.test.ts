import { X509Certificate } from 'node:crypto';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { createCa, type CertificateAuthority } from '../../src/certs/ca';
import { permittedDomainsFor } from '../../src/certs/ca-constraints';
import { LeafIssuer } from '../../src/certs/leaf-issuer';
import { writeTrustStore } from '../../src/certs/truststore';
import { tempDir } from '../helpers/tmp';
import { compileJavaPrograms, java } from './java';

const PERMITTED = 'westus-0.in.applicationinsights.azure.com';
const FORBIDDEN = ['www.example.com', 'login.microsoftonline.com.evil.test', 'applicationinsights.azure.com.evil.test'];

/** A TLS server on loopback presenting, for each SNI name, a leaf for that name from `issuer`. */
async function leafServer(issuer: LeafIssuer): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer({
    SNICallback: (name, cb) => cb(null, issuer.contextFor(name)),
    key: issuer.leafKeyPem,
    cert: issuer.issuePem(PERMITTED) + issuer.chainPem,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function nodeHandshake(port: number, servername: string, ca: string): Promise<'accepted' | string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      socket.end();
      resolve('accepted');
    });
    socket.once('error', (err) => resolve(err.message));
  });
}

describe('a name-constrained CA: leaves for permitted names pass, leaves for other names fail', () => {
  const tmp = tempDir('aiproxy-nc-');
  let ca: CertificateAuthority;
  let issuer: LeafIssuer;
  let server: { port: number; close: () => Promise<void> };
  let classes: string;
  let truststore: string;

  beforeAll(async () => {
    ca = await createCa(path.join(tmp.dir, 'certs'), { permittedDomains: permittedDomainsFor([]) });
    issuer = await LeafIssuer.create(ca);
    server = await leafServer(issuer);
    truststore = (await writeTrustStore(ca, path.join(tmp.dir, 'truststore.p12'))).file;
    classes = await compileJavaPrograms(tmp.dir);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('the CA carries a critical Name Constraints extension with the Azure Monitor and Entra domains', () => {
    expect(ca.permittedDomains).toEqual(expect.arrayContaining(['applicationinsights.azure.com', 'monitor.azure.com', 'login.microsoftonline.com', 'monitor.azure.cn', 'applicationinsights.us']));
    expect(ca.permittedDomains).not.toContain('example.com');
    expect(ca.cert.getExtension({ id: '2.5.29.30' } as any)).toMatchObject({ critical: true });
    // The same key signs every leaf here, permitted or not: only the constraint tells them apart.
    const forbiddenLeaf = new X509Certificate(issuer.issuePem(FORBIDDEN[0]!));
    const signer = issuer.chainPem ? new X509Certificate(issuer.chainPem) : new X509Certificate(ca.certPem);
    expect(forbiddenLeaf.verify(signer.publicKey)).toBe(true);
  });

  it('Node (OpenSSL): accepts the permitted leaf, rejects every other name signed by the same CA', async () => {
    expect(await nodeHandshake(server.port, PERMITTED, ca.certPem)).toBe('accepted');
    for (const name of FORBIDDEN) {
      expect([name, await nodeHandshake(server.port, name, ca.certPem)]).toEqual([name, 'permitted subtree violation']);
    }
  });

  it('Java (PKIX) with the truststore: accepts the permitted leaf, rejects every other name', async () => {
    const flags = `-Djavax.net.ssl.trustStore=${truststore} -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=changeit`;
    const ok = await java(classes, 'TlsProbe', [PERMITTED, String(server.port)], flags);
    expect(ok.stdout).toContain(`ACCEPTED ${PERMITTED}`);
    for (const name of FORBIDDEN) {
      const r = await java(classes, 'TlsProbe', [name, String(server.port)], flags);
      expect(r.stdout).toMatch(new RegExp(`REJECTED ${name.replace(/\./g, '\\.')} .*name constraints check failed`));
    }
  }, 120_000);

  it('an unconstrained CA (the control) lets Node accept the same foreign name', async () => {
    const free = await createCa(path.join(tmp.dir, 'free'));
    const freeIssuer = await LeafIssuer.create(free);
    const freeServer = await leafServer(freeIssuer);
    try {
      expect(await nodeHandshake(freeServer.port, FORBIDDEN[0]!, free.certPem)).toBe('accepted');
    } finally {
      await freeServer.close();
    }
  });
});
