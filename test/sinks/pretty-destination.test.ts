import { Writable } from 'node:stream';
import { prettyDestination } from '../../src/sinks/pretty-destination';

/** A JSON log line of about 1 KB, as pino hands it to the destination. */
const line = (n: number) =>
  `${JSON.stringify({ level: 'info', time: '2026-11-30T07:00:00.000Z', msg: `line ${n} ${'x'.repeat(1000)}` })}\n`;

/** stdout whose reader has stopped reading: every write waits until `resume`. */
function pausedReader() {
  const held: (() => void)[] = [];
  let received = '';
  let paused = true;
  const out = new Writable({
    highWaterMark: 16 << 10,
    write(chunk: Buffer, _encoding, done) {
      received += chunk.toString();
      if (paused) held.push(done);
      else done();
    },
  });
  return {
    out,
    received: () => received,
    resume() {
      paused = false;
      for (const done of held.splice(0)) done();
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('the readable view as the log destination of `start --log-format pretty`', () => {
  it('a reader that stops reading: what waits stays under the ceiling, later lines are dropped and said once', async () => {
    const reader = pausedReader();
    const said: string[] = [];
    const destination = prettyDestination(reader.out, { color: false, onlyFindings: false }, 64 << 10, (t) =>
      said.push(t),
    );
    for (let i = 0; i < 4000; i++) {
      destination.write(line(i));
      if (i % 100 === 0) await settle();
    }
    await settle();
    reader.resume();
    for (let i = 0; i < 20; i++) await settle();
    // 4000 lines are about 4 MB of view; only what fitted under 64 KB (plus the line that crossed it) got through.
    const delivered = reader.received();
    expect(delivered).toContain('line 0 ');
    expect(delivered.length).toBeLessThan((64 << 10) + 4 * 1024);
    expect(delivered).not.toContain('line 3999 ');
    expect(said).toEqual([expect.stringContaining('stdout is not being read fast enough')]);
    // Caught up: lines flow again.
    destination.write(line(5000));
    for (let i = 0; i < 5; i++) await settle();
    expect(reader.received()).toContain('line 5000 ');
  });

  it('a reader that went away (EPIPE): said once, no error escapes, every later line is dropped', async () => {
    let writes = 0;
    const out = new Writable({
      write(_chunk, _encoding, done) {
        writes += 1;
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const said: string[] = [];
    const destination = prettyDestination(out, { color: false, onlyFindings: false }, 64 << 10, (t) =>
      said.push(t),
    );
    for (let i = 0; i < 50; i++) {
      destination.write(line(i));
      await settle();
    }
    expect(said).toEqual([expect.stringContaining('cannot write the log to stdout (write EPIPE)')]);
    expect(writes).toBe(1);
  });
});
