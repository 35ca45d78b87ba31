import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describeBody } from '../../src/proxy/decode-body';

const JSON_BODY =
  '[{"name":"Microsoft.ApplicationInsights.Event","iKey":"11111111-2222-3333-4444-555555555555"}]';

function describe_(encoding: string, data: Buffer) {
  return describeBody(
    { 'content-type': 'application/json', 'content-encoding': encoding },
    data.length,
    data,
    1 << 20,
  );
}

/**
 * Content-Encoding is a list (RFC 9110 §8.4): `gzip, identity` is a gzip body. The capture took the
 * whole value for one coding's name, said "unsupported", and logged the compressed bytes as text.
 */
describe('a Content-Encoding that lists several codings', () => {
  it.each([
    ['gzip, identity', gzipSync(JSON_BODY)],
    ['identity, gzip', gzipSync(JSON_BODY)],
    ['GZIP', gzipSync(JSON_BODY)],
    ['br, gzip', gzipSync(brotliCompressSync(JSON_BODY))],
  ])('%s is decoded', async (encoding, data) => {
    const body = await describe_(encoding, data);
    expect(body.decodeError).toBeUndefined();
    expect(body.decodedSize).toBe(JSON_BODY.length);
    expect(body.text).toContain('"iKey":"11111111-****-****-****-********5555"');
  });

  it('a coding it does not know is named in the error', async () => {
    const body = await describe_('gzip, compress', Buffer.from('xyz'));
    expect(body.decodeError).toBe('unsupported content-encoding "compress"');
  });

  it('bytes left encoded by an unknown coding are not kept (as text they were mojibake, as base64 a way round redaction)', async () => {
    const body = await describe_('compress', gzipSync(JSON_BODY));
    expect(body.text).toBeUndefined();
    expect(body.base64).toBeUndefined();
    expect(body.decodedSize).toBe(0);
  });

  it('nor as base64 for a binary type, which gunzip would turn back into the full iKey', async () => {
    const data = gzipSync(JSON_BODY);
    const body = await describeBody(
      { 'content-type': 'application/octet-stream', 'content-encoding': 'x-unknown' },
      data.length,
      data,
      1 << 20,
    );
    expect(body.base64).toBeUndefined();
  });

  it('the text decoded before a corrupt end stays text', async () => {
    const body = await describe_('gzip', gzipSync(JSON_BODY).subarray(0, 60));
    expect(body.decodeError).toMatch(/^gzip decoding failed/);
    expect(body.text).toMatch(/^\[\{"name":"Microsoft/);
  });

  it('identity alone is no coding at all', async () => {
    const body = await describe_('identity', Buffer.from(JSON_BODY));
    expect(body.decodedSize).toBeUndefined();
    expect(body.text).toContain('Microsoft.ApplicationInsights.Event');
  });
});

/**
 * Compressed bytes that no Content-Encoding names (an app that gzips its batch and forgets the
 * header): a binary body is kept as base64, and base64 of compressed bytes would give the full
 * iKey back to anyone who decompresses it, past the redaction.
 */
describe('compressed bytes without a Content-Encoding', () => {
  const binary = (data: Buffer, contentType = 'application/octet-stream') =>
    describeBody({ 'content-type': contentType }, data.length, data, 1 << 20);

  it.each([
    ['gzip', gzipSync(JSON_BODY)],
    ['zlib', deflateSync(JSON_BODY)],
  ])('%s: not kept, and the error names the format', async (format, data) => {
    const body = await binary(data);
    expect(body.base64).toBeUndefined();
    expect(body.text).toBeUndefined();
    expect(body.decodeError).toBe(`${format}-compressed bytes that no Content-Encoding names: not kept`);
  });

  it('other binary bytes are kept as base64, also ones whose first two bytes look like a zlib header', async () => {
    const notZlib = Buffer.from([0x78, 0x9c, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await binary(notZlib)).base64).toBe(notZlib.toString('base64'));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect((await binary(png)).base64).toBe(png.toString('base64'));
  });
});
