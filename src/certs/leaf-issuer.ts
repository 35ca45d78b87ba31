import { isIP } from 'node:net';
import tls from 'node:tls';
import forge from 'node-forge';
import type { CertificateAuthority } from './ca';
import { createPrivateKey } from 'node:crypto';
import { EcLeafSigner } from './ec-leaf';
import { generateEcKeyPair, type PemKeyPair } from './keys';
import { positiveSerialHex } from './serial';
import { type SigningAuthority, signingAuthorityFor } from './signing-authority';

const DAY = 24 * 3600 * 1000;

/**
 * Issues leaf certificates for intercepted hosts. One ECDSA P-256 key pair, made once at start,
 * serves every leaf (as mitmproxy and mockttp share one key), so a new host costs one native
 * signature (~1 ms), never a key generation, and each client handshake costs an ECDSA signature
 * instead of an RSA-2048 one. Secure contexts are cached with a bound.
 */
export class LeafIssuer {
  private readonly cache = new Map<string, { context: tls.SecureContext; certPem: string; expires: number }>();
  private readonly signer: EcLeafSigner;

  private constructor(
    readonly ca: CertificateAuthority,
    private readonly leafKey: PemKeyPair,
    private readonly authority: SigningAuthority,
    private readonly maxCached: number,
  ) {
    this.signer = new EcLeafSigner(leafKey.publicKeyPem, createPrivateKey(authority.keyPem));
  }

  static async create(ca: CertificateAuthority, maxCached = 1000): Promise<LeafIssuer> {
    const [leafKey, authority] = await Promise.all([generateEcKeyPair(), signingAuthorityFor(ca)]);
    return new LeafIssuer(ca, leafKey, authority, maxCached);
  }

  /** Intermediate certificate(s) a server must send after the leaf ('' when the CA signs directly). */
  get chainPem(): string {
    return this.authority.chainPem;
  }

  get leafKeyPem(): string {
    return this.leafKey.privateKeyPem;
  }

  /** A PEM certificate for `host` (DNS name or IP address), signed by the CA. */
  issuePem(host: string): string {
    const cert = forge.pki.createCertificate();
    cert.publicKey = this.signer.standInPublicKey;
    cert.serialNumber = positiveSerialHex();
    const now = Date.now();
    cert.validity.notBefore = new Date(now - DAY); // tolerate client clocks a little behind
    const notAfter = Math.min(now + 365 * DAY, this.authority.notAfter.getTime());
    cert.validity.notAfter = new Date(notAfter);
    cert.setSubject([{ name: 'commonName', value: host.slice(0, 64) }]);
    cert.setIssuer(this.authority.subject);
    const altName = isIP(host) ? { type: 7, ip: host } : { type: 2, value: host };
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [altName] },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.authority.keyIdentifier },
    ]);
    return this.signer.toPem(cert);
  }

  /** A TLS server context for `host`, from the bounded cache (oldest evicted first). */
  contextFor(host: string): tls.SecureContext {
    // A client may send the fully qualified name (`host.`) as SNI: the leaf names `host`.
    const key = host.toLowerCase().replace(/\.$/, '');
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now() + DAY) {
      // Refresh recency: Map keeps insertion order, so re-inserting makes it the newest.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.context;
    }
    const certPem = this.issuePem(key);
    const context = tls.createSecureContext({ key: this.leafKey.privateKeyPem, cert: certPem + this.authority.chainPem });
    this.cache.set(key, { context, certPem, expires: Date.now() + 364 * DAY });
    while (this.cache.size > this.maxCached) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
    return context;
  }

  get cachedHosts(): number {
    return this.cache.size;
  }
}
