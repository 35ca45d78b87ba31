import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { createCa } from '../../src/certs/ca';
import { permittedDomainsFor } from '../../src/certs/ca-constraints';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { cli } from './run-cli';

/**
 * The CA directory's failure modes: each is refused (exit 2) with the file and the fix, or, for
 * a key others can read, tightened with a warning. Nothing is regenerated or re-permissioned
 * behind the user's back.
 */

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const fingerprint = (dir: string) =>
  new X509Certificate(readFileSync(path.join(dir, 'ca.pem'))).fingerprint256;

describe('the CA files: refused with the file and the fix, never silently replaced', () => {
  const tmp = tempDir('aiproxy-ca-files-');
  afterAll(() => tmp.cleanup());
  let n = 0;
  const freshCa = async (): Promise<string> => {
    const dir = path.join(tmp.dir, `ca-${++n}`);
    expect((await cli(['ca', 'init', '--ca-dir', dir])).code).toBe(0);
    return dir;
  };

  it('a key that is not the certificate’s: ca show and start refuse, naming both files', async () => {
    const a = await freshCa();
    const b = await freshCa();
    copyFileSync(path.join(b, 'ca.key'), path.join(a, 'ca.key'));
    for (const args of [
      ['ca', 'show', '--ca-dir', a],
      ['start', '--ca-dir', a, '--port', '0', '--log-format', 'json'],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${path.join(a, 'ca.key')} is not the key of ${path.join(a, 'ca-signer.pem')}`,
      );
      expect(r.stderr).toContain('ca init --force');
    }
  });

  it('a missing ca-signer.pem: refused, naming the missing file rather than only blaming the key', async () => {
    const dir = await freshCa();
    rmSync(path.join(dir, 'ca-signer.pem'));
    const r = await cli(['ca', 'show', '--ca-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`put back the missing ${path.join(dir, 'ca-signer.pem')}`);
  });

  it('an expired CA: start refuses with the date and the fix, ca show warns, ca init --force replaces it', async () => {
    const dir = path.join(tmp.dir, 'expired');
    // Valid from a day ago until an hour ago: it loads without error, yet no client accepts its leaves.
    await createCa(dir, { validityYears: -1 / 365.25 / 24, permittedDomains: permittedDomainsFor([]) });
    // The built CLI, bounded: a proxy that starts anyway would run until killed.
    const started = spawnSync(process.execPath, [CLI, 'start', '--ca-dir', dir, '--port', '0'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(started.status).toBe(2);
    expect(started.stderr).toContain(`${path.join(dir, 'ca.pem')} expired on `);
    expect(started.stderr).toContain('ca init --force');
    const shown = await cli(['ca', 'show', '--ca-dir', dir]);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('expired on');
    expect(shown.stdout).toContain('NOT VALID NOW');
    expect((await cli(['ca', 'init', '--force', '--ca-dir', dir])).code).toBe(0);
    expect((await cli(['ca', 'show', '--ca-dir', dir])).stderr).toBe('');
  });

  it('certs/README.md names every file the CA writes there, and the modes a checkout folder really has', async () => {
    const dir = path.join(tmp.dir, 'checkout-certs');
    mkdirSync(dir);
    chmodSync(dir, 0o755); // what a git checkout gives certs/
    expect((await cli(['ca', 'init', '--ca-dir', dir])).code).toBe(0);
    expect((await cli(['ca', 'truststore', '--ca-dir', dir])).code).toBe(0);
    const readme = readFileSync(path.join(__dirname, '../../certs/README.md'), 'utf8');
    for (const file of readdirSync(dir)) expect(readme).toContain(`\`${file}\``);
    expect(statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(readme).toContain('usually 0755');
  }, 60_000);

  it('a signer from another CA: refused, naming both certificates', async () => {
    const a = await freshCa();
    const b = await freshCa();
    for (const f of ['ca.key', 'ca-signer.pem']) copyFileSync(path.join(b, f), path.join(a, f));
    const r = await cli(['ca', 'show', '--ca-dir', a]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(a, 'ca-signer.pem')} was not signed by ${path.join(a, 'ca.pem')}`,
    );
  });

  it('a missing key: refused with `ca init --force`, and ca.pem is left exactly as it was', async () => {
    const dir = await freshCa();
    const before = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    rmSync(path.join(dir, 'ca.key'));
    const r = await cli(['start', '--ca-dir', dir, '--port', '0', '--log-format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(dir, 'ca.pem')} exists but its private key ${path.join(dir, 'ca.key')} is missing`,
    );
    expect(r.stderr).toContain(`appinsights-auth-proxy ca init --force --ca-dir ${dir}`);
    expect(readFileSync(path.join(dir, 'ca.pem'), 'utf8')).toBe(before);
    expect(existsSync(path.join(dir, 'ca.key'))).toBe(false);
    // ...and the fix it names works.
    const fixed = await cli(['ca', 'init', '--force', '--ca-dir', dir]);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain('replacing a broken CA');
    expect((await cli(['ca', 'show', '--ca-dir', dir])).code).toBe(0);
  });

  it('garbage in ca.pem or ca.key: exit 2, the file and the fix', async () => {
    for (const file of ['ca.pem', 'ca.key', 'ca-signer.pem']) {
      const dir = await freshCa();
      writeFileSync(
        path.join(dir, file),
        '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n',
      );
      const r = await cli(['ca', 'show', '--ca-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(path.join(dir, file));
      expect(r.stderr).toMatch(
        /Fix: restore it, or re-create the CA with: appinsights-auth-proxy ca init --force/,
      );
    }
  });

  it('a key readable by others is tightened to 0600, with a warning (like SSH)', async () => {
    const dir = await freshCa();
    const key = path.join(dir, 'ca.key');
    chmodSync(key, 0o644);
    const r = await cli(['ca', 'show', '--ca-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${key} was readable by others (mode 0644); it is now 0600`);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  it('a --ca-dir that exists keeps its mode; one we create is 0700', async () => {
    const shared = path.join(tmp.dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    expect((await cli(['ca', 'init', '--ca-dir', shared])).code).toBe(0);
    expect(statSync(shared).mode & 0o777).toBe(0o755);
    expect(statSync(path.join(shared, 'ca.key')).mode & 0o777).toBe(0o600);
    const created = path.join(tmp.dir, 'new', 'certs');
    expect((await cli(['ca', 'init', '--ca-dir', created])).code).toBe(0);
    expect(statSync(created).mode & 0o777).toBe(0o700);
  });

  it('a CA that stays the same across starts (no silent regeneration)', async () => {
    const dir = await freshCa();
    const before = fingerprint(dir);
    expect((await cli(['ca', 'show', '--ca-dir', dir])).code).toBe(0);
    expect(fingerprint(dir)).toBe(before);
  });

  describe('as another user, and on a read-only file system (real processes)', () => {
    beforeAll(() => {
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs tsc)`);
    });

    it('EACCES: a key the user cannot read names the file and the fix, exit 2', async () => {
      const parent = path.join(tmp.dir, 'eacces');
      mkdirSync(parent);
      chmodSync(tmp.dir, 0o755);
      chmodSync(parent, 0o755);
      const dir = path.join(parent, 'certs');
      expect((await cli(['ca', 'init', '--ca-dir', dir])).code).toBe(0);
      chmodSync(dir, 0o755);
      const r = await run('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        CLI,
        'ca',
        'show',
        '--ca-dir',
        dir,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot read ${path.join(dir, 'ca.key')}: permission denied. Fix:`);
    }, 60_000);

    it('a key others can read that cannot be tightened (read-only mount): refused, exit 2', async () => {
      const dir = await freshCa();
      chmodSync(path.join(dir, 'ca.key'), 0o644);
      const script = `mount --bind -o ro '${dir}' '${dir}' && exec '${process.execPath}' '${CLI}' ca show --ca-dir '${dir}'`;
      const r = await run('unshare', ['--mount', 'sh', '-c', script]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${path.join(dir, 'ca.key')} is readable by others (mode 0644) and could not be made private (EROFS)`,
      );
    }, 60_000);

    it('EROFS: creating the CA on a read-only mount names the directory and the fix, exit 2', async () => {
      const ro = path.join(tmp.dir, 'ro');
      mkdirSync(ro);
      const script = `mount --bind -o ro '${ro}' '${ro}' && exec '${process.execPath}' '${CLI}' ca init --ca-dir '${ro}/certs'`;
      const r = await run('unshare', ['--mount', 'sh', '-c', script]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `cannot create the CA directory ${ro}/certs: the file system is read-only. Fix: choose a writable --ca-dir`,
      );
    }, 60_000);
  });
});
