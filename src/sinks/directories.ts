import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time from the deepest existing parent. Not `mkdirSync(recursive)`:
 * where mkdir answers ENOENT under an existing parent (/proc), Node's recursive mkdir retries
 * forever, on the main thread (sync) or in the thread pool (sonic-boom's async one).
 */
export function makeDirectories(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d, mode === undefined ? undefined : { mode });
}
