import { randomBytes } from 'node:crypto';

/** 16 random bytes with the high bit clear: a positive DER INTEGER (Go rejects negative serials). */
export function positiveSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
