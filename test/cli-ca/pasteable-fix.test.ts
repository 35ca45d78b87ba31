import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { cli } from './run-cli';

/** The fix a message prints is a command to paste: a CA directory with a space in it stays one word. */
describe('the ca init a missing CA suggests', () => {
  it('can be pasted as it is printed, whatever the directory is called', async () => {
    const tmp = tempDir('aiproxy-paste-');
    try {
      const dir = path.join(tmp.dir, "my certs (team's)");
      const missing = await cli(['ca', 'show', '--ca-dir', dir]);
      expect(missing.code).toBe(2);
      const suggested = /run "(appinsights-auth-proxy ca init --ca-dir [^"]+)"/.exec(missing.stderr)?.[1];
      expect(suggested).toBeDefined();
      // The printed command, through a real shell, with our CLI in place of the bin name.
      const pasted = spawnSync(
        'bash',
        ['-c', suggested!.replace('appinsights-auth-proxy', `"${process.execPath}" "${CLI}"`)],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(pasted.status).toBe(0);
      expect(existsSync(path.join(dir, 'ca.pem'))).toBe(true);
      // A plain path stays plain.
      expect((await cli(['ca', 'show', '--ca-dir', '/no/such/ca'])).stderr).toContain(
        'ca init --ca-dir /no/such/ca"',
      );
    } finally {
      tmp.cleanup();
    }
  });
});
