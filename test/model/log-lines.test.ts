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
