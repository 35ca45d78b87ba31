import { generateKeyPair } from 'node:crypto';

export interface PemKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** RSA-2048 in OpenSSL's thread pool: never blocks the event loop. */
export function generateRsaKeyPair(bits = 2048): Promise<PemKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: bits,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (err, publicKeyPem, privateKeyPem) => (err ? reject(err) : resolve({ privateKeyPem, publicKeyPem })),
    );
  });
}

/** ECDSA P-256: what every leaf uses (a server-side handshake signature costs ~20× less than RSA-2048). */
export function generateEcKeyPair(): Promise<PemKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'ec',
      {
        namedCurve: 'prime256v1',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      },
      (err, publicKeyPem, privateKeyPem) => (err ? reject(err) : resolve({ privateKeyPem, publicKeyPem })),
    );
  });
}
