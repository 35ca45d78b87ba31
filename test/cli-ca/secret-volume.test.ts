import { execFile } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { cli } from './run-cli';

/**
 * pod.yaml advised "a PersistentVolumeClaim or a Secret" to keep one CA across pod restarts, and
 * the refusal of a key others can read advised "a Kubernetes Secret volume: defaultMode: 0600".
 * Neither works for the proxy of the manifests (uid 1000): a Secret's files belong to root, and
 * the pod's fsGroup makes them group-readable whatever defaultMode says (kubernetes#57923), so
 * the proxy can read the key but refuses it. The refusal now says so and names what works.
 */

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : -1) : 0;
      resolve({ code, stderr: String(stderr) });
    });
  });
}

const asRoot = process.getuid?.() === 0;

(asRoot ? describe : describe.skip)(
  'a CA key laid out as a Kubernetes Secret volume with fsGroup (root only)',
  () => {
    const tmp = tempDir('aiproxy-secret-volume-');
    afterAll(() => tmp.cleanup());

    it('the proxy user (1000) can read the key, refuses it, and the fix names a volume that works', async () => {
      const dir = path.join(tmp.dir, 'certs');
      expect((await cli(['ca', 'init', '--ca-dir', dir])).code).toBe(0);
      // What the kubelet makes of defaultMode 0400 with fsGroup 1000: root-owned, 0440, group 1000,
      // on a read-only mount.
      for (const f of ['ca.key', 'ca.pem', 'ca-signer.pem']) {
        chownSync(path.join(dir, f), 0, 1000);
        chmodSync(path.join(dir, f), 0o440);
      }
      chmodSync(tmp.dir, 0o755);
      chmodSync(dir, 0o755);
      const command = `'${process.execPath}' '${CLI}' ca show --ca-dir '${dir}'`;
      const script = `mount --bind -o ro '${dir}' '${dir}' && exec setpriv --reuid=1000 --regid=1000 --clear-groups ${command}`;
      const r = await run('unshare', ['--mount', 'sh', '-c', script]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${path.join(dir, 'ca.key')} is readable by others (mode 0440)`);
      expect(r.stderr).toMatch(/A Kubernetes Secret volume cannot hold it for a proxy that is not root/);
      expect(r.stderr).toMatch(/PersistentVolumeClaim/);
    }, 60_000);
  },
);
