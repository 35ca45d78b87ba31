import { promises as fs } from 'node:fs';
import { UsageError } from '../model/usage-error';

/** Something about the CA files the user should know, but that does not stop the proxy. */
export interface CaWarning {
  file: string;
  message: string;
}

/**
 * A file-system failure on a CA file, as a usage error (exit 2) that names the file and the fix.
 * `what` is what we were doing: reading the CA, writing it, or creating its directory.
 */
export function caDirError(file: string, err: NodeJS.ErrnoException, what: 'read' | 'write' | 'create'): UsageError {
  const verb = what === 'read' ? 'read' : what === 'write' ? 'write' : 'create the CA directory';
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return new UsageError(
        `cannot ${verb} ${file}: permission denied. Fix: run as the user that owns it, fix its permissions, or choose another --ca-dir`,
      );
    case 'EROFS':
      return new UsageError(
        `cannot ${verb} ${file}: the file system is read-only. Fix: choose a writable --ca-dir (or create the CA elsewhere with "ca init" and mount it)`,
      );
    case 'ENOSPC':
      return new UsageError(`cannot ${verb} ${file}: no space left on the device. Fix: free space, or choose another --ca-dir`);
    case 'ENOTDIR':
    case 'EEXIST':
      return new UsageError(`cannot ${verb} ${file}: a part of the path is a file, not a directory. Fix: choose another --ca-dir`);
    case 'EISDIR':
      return new UsageError(`cannot ${verb} ${file}: it is a directory. Fix: remove it, or choose another --ca-dir`);
    default:
      return new UsageError(`cannot ${verb} ${file}: ${err.message}`);
  }
}

/**
 * Like SSH with a private key: a CA key that others can read is tightened to 0600 with a warning;
 * if that is not allowed (another owner), the proxy refuses to use it.
 */
export async function checkKeyMode(keyPath: string, warn: (w: CaWarning) => void): Promise<void> {
  if (process.platform === 'win32') return; // modes mean little there; ACLs protect the file
  let mode: number;
  try {
    mode = (await fs.stat(keyPath)).mode & 0o777;
  } catch (err) {
    throw caDirError(keyPath, err as NodeJS.ErrnoException, 'read');
  }
  if ((mode & 0o077) === 0) return;
  const was = `0${mode.toString(8)}`;
  try {
    await fs.chmod(keyPath, 0o600);
  } catch (err) {
    throw new UsageError(
      `${keyPath} is readable by others (mode ${was}) and could not be made private (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Fix: chmod 600 ${keyPath} as its owner, or give it mode 0600 where it comes from. A Kubernetes Secret volume cannot hold it for a proxy that is not root (its files belong to root, and a pod fsGroup makes them group-readable): keep the CA on a PersistentVolumeClaim`,
    );
  }
  warn({
    file: keyPath,
    message: `${keyPath} was readable by others (mode ${was}); it is now 0600. Anyone who read it could sign certificates your clients trust: if that may have happened, re-create the CA (ca init --force)`,
  });
}
