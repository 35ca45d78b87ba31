import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCa } from '../../src/certs/ca';
import { CLI, runCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * fake-ingestion --cert/--key: a lone flag, a file that is not PEM, or a key of another
 * certificate stopped the fake with exit 1 and OpenSSL's words ("PEM routines::no start line",
 * "a given certificate needs both cert and key"), the flag unnamed. Each now exits 2 naming it,
 * before anything listens, and a key file's text is never quoted.
 */
const tmp = tempDir('aiproxy-fake-cert-');
afterAll(() => tmp.cleanup());

function fake(args: string[]) {
  // port 0: a fake that slipped through would listen until the 20 s bound
  const run = spawnSync(process.execPath, [CLI, 'fake-ingestion', '--port', '0', ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: run.status, stderr: run.stderr };
}

describe('fake-ingestion --cert and --key (built CLI)', () => {
  let cert: string;
  let key: string;
  let otherKey: string;
  let garbage: string;

  beforeAll(async () => {
    // unconstrained CAs: one certificate and its own key each
    const a = await createCa(path.join(tmp.dir, 'a'));
    const b = await createCa(path.join(tmp.dir, 'b'));
    [cert, key, otherKey] = [a.certPath, a.keyPath, b.keyPath];
    garbage = path.join(tmp.dir, 'garbage.pem');
    writeFileSync(garbage, 'not pem at all\n');
  });

  it.each([
    ['--cert alone', () => ['--cert', cert], /--cert needs --key/],
    ['--key alone', () => ['--key', key], /--key needs --cert/],
    [
      'a --cert that is not PEM',
      () => ['--cert', garbage, '--key', key],
      /--cert .*garbage\.pem: not a PEM certificate/,
    ],
    [
      'a --key that is not PEM',
      () => ['--cert', cert, '--key', garbage],
      /--key .*garbage\.pem: not an unencrypted PEM private key/,
    ],
    [
      'a key of another certificate',
      () => ['--cert', cert, '--key', otherKey],
      /--key .* is not the private key of --cert /,
    ],
    [
      'the two files swapped',
      () => ['--cert', key, '--key', cert],
      /--cert .*ca\.key: not a PEM certificate/,
    ],
  ])('%s: exit 2 naming the flag', (_name, args, message) => {
    const run = fake(args());
    expect(run).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(run.stderr).not.toMatch(/PRIVATE KEY|routines/);
  });

  it('a certificate with its own key still serves', async () => {
    const running = runCli(['fake-ingestion', '--port', '0', '--cert', cert, '--key', key]);
    try {
      const line = await running.waitForLine((l) => l.event === 'fake.listening', 20_000);
      expect(line.port).toBeGreaterThan(0);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  }, 30_000);
});
