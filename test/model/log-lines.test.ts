import { logLines } from '../../src/model/log-lines';

async function read(chunks: (string | Buffer)[], maxBytes?: number) {
  const out: unknown[] = [];
  for await (const l of logLines(chunks, maxBytes)) out.push(l);
  return out;
}

describe('the lines of a log', () => {
  it('splits on LF (CRLF too) across chunks, and keeps a character cut between chunks whole', async () => {
    const euro = Buffer.from('€'); // three bytes
    const lines = await read([
      'a\r\nb',
      Buffer.concat([Buffer.from('\nc'), euro.subarray(0, 1)]),
      euro.subarray(1),
      '\n\nlast',
    ]);
    expect(lines).toEqual(['a', 'b', 'c€', '', 'last']);
  });

  it('skips a line beyond the limit to its end, keeping nothing of it', async () => {
    const lines = await read(['ok\n', 'x'.repeat(6), 'x'.repeat(6), 'x\nok again\n', 'y'.repeat(20)], 10);
    expect(lines).toEqual(['ok', { tooLong: 13 }, 'ok again', { tooLong: 20 }]);
  });
});

describe('a log saved on Windows, with a byte-order mark', () => {
  const log = '{"msg":"first"}\r\n{"msg":"twö €"}\r\n';

  it('UTF-8 with a mark (Notepad): the mark is dropped, the first line parses', async () => {
    expect(await read([Buffer.from([0xef]), Buffer.from([0xbb, 0xbf]), log])).toEqual([
      '{"msg":"first"}',
      '{"msg":"twö €"}',
    ]);
  });

  it('UTF-16LE (PowerShell 5 `>`), cut at odd bytes: read as the same text', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(log, 'utf16le')]);
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 8), bytes.subarray(8, 23), bytes.subarray(23)];
    expect(await read(chunks)).toEqual(['{"msg":"first"}', '{"msg":"twö €"}']);
  });

  it('UTF-16BE, cut at odd bytes: read as the same text', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(log, 'utf16le').swap16()]);
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 30), bytes.subarray(30)];
    expect(await read(chunks)).toEqual(['{"msg":"first"}', '{"msg":"twö €"}']);
  });

  it('a log shorter than a mark is read as it is', async () => {
    expect(await read(['{}'])).toEqual(['{}']);
  });
});
