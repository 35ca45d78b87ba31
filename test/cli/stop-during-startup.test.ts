import { existsSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../cli-ca/run-cli';
import { tempDir } from '../helpers/tmp';

/**
 * `start` listened for SIGTERM only once it was up. Node as PID 1 (the image) ignores a signal it
 * has no handler for, so `docker stop` during start-up (a first start creates the CA: about a
 * second) was lost and the runtime's SIGKILL ended the proxy later (exit 137, log unflushed). The
 * handler is now in place before the CA is made, and a stop asked for then ends the start (exit 0).
 */
const tmp = tempDir('aiproxy-stop-startup-');
afterAll(() => tmp.cleanup());

describe('start: SIGTERM during start-up', () => {
  it('is listened for before the CA exists, and ends the start with exit 0', async () => {
    const caDir = path.join(tmp.dir, 'certs');
    const before = process.listenerCount('SIGTERM');
    let caExistedWhenListening: boolean | undefined;
    const original = process.once.bind(process);
    // Calls the command's own listener (not process.emit, which other libraries' handlers hear).
    jest.spyOn(process, 'once').mockImplementation(((event: string, listener: () => void) => {
      const out = original(event, listener);
      if (event === 'SIGTERM' && caExistedWhenListening === undefined) {
        caExistedWhenListening = existsSync(path.join(caDir, 'ca.pem'));
        setImmediate(listener); // the stop arrives while the proxy is still starting
      }
      return out;
    }) as typeof process.once);
    try {
      const run = await cli([
        'start',
        '--port=0',
        `--ca-dir=${caDir}`,
        '--log-format=json',
        '--summary=false',
      ]);
      expect(run.code).toBe(0);
      expect(caExistedWhenListening).toBe(false);
      expect(existsSync(path.join(caDir, 'ca.pem'))).toBe(true); // it did start, then stopped
    } finally {
      jest.restoreAllMocks();
    }
    expect(process.listenerCount('SIGTERM')).toBe(before);
  }, 30_000);
});
