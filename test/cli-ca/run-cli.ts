import { main } from '../../src/cli/main';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (as `appinsights-auth-proxy <args>`), capturing stdout and stderr. */
export async function cli(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Splits a printed shell line into words (plain words and '...' quoting, which is all `ca setup` prints). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|([^\s']+)/g;
  let current = '';
  let last = 0;
  for (const m of line.matchAll(re)) {
    const gap = line.slice(last, m.index);
    if (/\s/.test(gap) && current) {
      words.push(current);
      current = '';
    }
    current += m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!;
    last = m.index! + m[0].length;
  }
  if (current) words.push(current);
  return words;
}
