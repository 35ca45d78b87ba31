import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/sinks/logger';
import { tempDir } from '../helpers/tmp';

/**
 * The log file gets whole lines per write: a line is never split across two writes, however long
 * (so a kill between writes can never leave half a line followed by the next). Every write the
 * file's destination makes is recorded and checked.
 */
describe('log file writes hold whole lines only', () => {
  const tmp = tempDir('aiproxy-log-writes-');
  afterAll(() => tmp.cleanup());

  it('small lines and lines of 1.5 and 3 MB: every write ends at a line end, nothing lost', async () => {
    const file = path.join(tmp.dir, 'proxy.log');
    const writes: string[] = [];
    const record = (data: unknown) =>
      writes.push(typeof data === 'string' ? data : Buffer.from(data as Buffer).toString('utf8'));
    const realWrite = fs.write;
    const realWriteSync = fs.writeSync;
    const spies = [
      jest.spyOn(fs, 'write').mockImplementation(((fd: number, data: any, ...rest: any[]) => {
        record(data);
        return (realWrite as any)(fd, data, ...rest);
      }) as any),
      // flush() at shutdown writes what is left synchronously, once the writes in flight are done.
      jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: any, ...rest: any[]) => {
        record(data);
        return (realWriteSync as any)(fd, data, ...rest);
      }) as any),
    ];
    const sizes = [10, 1_500_000, 20, 3_000_000, 30, 30, 1_200_000, 5];
    try {
      const quiet = new Writable({ write: (_c, _e, cb) => cb() });
      const { logger, flush } = createLogger({ format: 'json', file, destination: quiet });
      await new Promise((r) => setTimeout(r, 50)); // the file opens asynchronously
      sizes.forEach((n, i) => logger.info({ i, body: 'x'.repeat(n) }, `line ${i}`));
      // Wait (bounded) until every line reached the file, then flush what is left.
      const until = Date.now() + 30_000;
      const total = () => writes.reduce((a, w) => a + w.length, 0);
      while (Date.now() < until && total() < sizes.reduce((a, n) => a + n, 0))
        await new Promise((r) => setTimeout(r, 20));
      // Right after the last writes were issued: the case where a synchronous write could overtake.
      await flush();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const text = fs.readFileSync(file, 'utf8');
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.body.length)).toEqual(sizes);
    // (lengths, not the texts: a failure must not print megabytes)
    expect(writes.join('').length).toBe(text.length);
    expect(writes.join('') === text).toBe(true);
    expect(writes.length).toBeGreaterThan(0);
    // An empty write (a flush with nothing pending, seen under CPU contention) holds no byte of a line.
    expect(writes.filter((w) => w.length > 0 && !w.endsWith('\n')).map((w) => w.length)).toEqual([]);
  }, 60_000);
});
