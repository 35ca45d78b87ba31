import { constants, createPrivateKey, privateEncrypt, type KeyObject } from 'node:crypto';
import type forge from 'node-forge';

// DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256.
const SHA256_DIGESTINFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * A signer forge can call as `cert.sign(signer, sha256)`: forge builds the certificate, Node's
 * OpenSSL does the RSA private-key operation (about 1 ms instead of forge's 50 ms pure-JS RSA).
 */
export function nativeSigner(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  const key: KeyObject = createPrivateKey(privateKeyPem);
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt(
        { key, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([SHA256_DIGESTINFO, digest]),
      ).toString('binary');
    },
  };
  return signer as unknown as forge.pki.rsa.PrivateKey;
}
