import { realpathSync } from 'node:fs';
import path from 'node:path';

const BIN = 'appinsights-auth-proxy';

function real(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

const quote = (s: string) => (/^[\w./@:+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The script that started this process, when it is this CLI's main.js (not a test runner). */
function invokedCli(): string | undefined {
  const script = process.argv[1];
  const main = real(path.join(__dirname, 'main.js'));
  return script && main && real(script) === main ? script : undefined;
}

/**
 * How to run this CLI again from where it was started, for commands we print: the bin name when
 * it is on PATH and is this very script (npm link, a global install), else `node <script>` with the
 * script's path relative to the current directory (a clone: `node dist/cli/main.js`). Run in
 * process by something else (tests), the bin name.
 */
export function selfCommand(
  script: string | undefined = invokedCli(),
  cwd: string = process.cwd(),
  searchPath: string | undefined = process.env.PATH,
): string {
  if (!script) return BIN;
  const self = real(script) ?? path.resolve(cwd, script);
  for (const dir of (searchPath ?? '').split(path.delimiter).filter(Boolean)) {
    if (real(path.join(dir, BIN)) === self) return BIN;
  }
  const relative = path.relative(cwd, self);
  return `node ${quote(relative.startsWith('..') || path.isAbsolute(relative) ? self : relative)}`;
}
