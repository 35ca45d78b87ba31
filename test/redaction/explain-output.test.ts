import { PassThrough, Readable } from 'node:stream';
import { explainStream } from '../../src/sinks/explain-stream';
import { leaksIn, secretShapes } from './secret-corpus';

/** `explain` quotes the SDK line it recognised: the quote is masked like every other output. */
describe('explain quotes SDK lines without their secrets', () => {
  it('every secret shape, in prose, on a recognised line', async () => {
    const shapes = secretShapes();
    const lines = shapes.map((s) => `HTTP/1.1 401 Authorization required ${s.prose}`);
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const result = await explainStream(Readable.from(lines.map((l) => `${l}\n`)), out);
    expect(result.recognised).toBe(lines.length);
    const text = chunks.join('');
    expect(text.split('\n').filter((l) => l.startsWith('line ')).length).toBe(lines.length);
    expect(leaksIn(text, shapes)).toEqual([]);
  });
});
