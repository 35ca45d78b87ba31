import zlib from 'node:zlib';

/**
 * Compressed bytes that no Content-Encoding announced (an app that gzips its batch and forgets the
 * header): kept as base64 they would carry, once decompressed, a full iKey or a token past the
 * redaction, which only sees the compressed bytes. Recognised by their formats' magic numbers;
 * brotli has none, so a raw brotli body is not recognised.
 */
export function compressionFormatOf(data: Buffer): string | undefined {
  const [b0, b1, b2, b3] = data;
  if (b0 === 0x1f && b1 === 0x8b) return 'gzip';
  if (b0 === 0x28 && b1 === 0xb5 && b2 === 0x2f && b3 === 0xfd) return 'zstd';
  if (b0 === 0xfd && b1 === 0x37 && b2 === 0x7a && b3 === 0x58) return 'xz';
  if (b0 === 0x42 && b1 === 0x5a && b2 === 0x68) return 'bzip2';
  if (b0 === 0x50 && b1 === 0x4b && b2 === 0x03 && b3 === 0x04) return 'zip';
  // zlib (deflate with its header): CMF 8 with a window size and a header checksum of 31, which
  // one binary body in a few hundred has by chance, so its first bytes must also inflate.
  if (b0 !== undefined && b1 !== undefined && (b0 & 0x0f) === 8 && b0 >> 4 <= 7 && (b0 * 256 + b1) % 31 === 0)
    return inflatesAsZlib(data) ? 'zlib' : undefined;
  return undefined;
}

function inflatesAsZlib(data: Buffer): boolean {
  try {
    zlib.inflateSync(data.subarray(0, 64 << 10), {
      maxOutputLength: 64,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'; // it inflates, and to more than that
  }
}
