import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error';

/** The bytes of a file a flag names; one that cannot be read stops the command naming the flag (exit 2). */
export function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as Error).message}`);
  }
}
