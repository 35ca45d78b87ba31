/**
 * A small young generation however the proxy is started (the bin, `node dist/cli/main.js`,
 * `npm start`, the image), in one process.
 *
 * A proxy allocates many short-lived objects per request. With V8's defaults new space grows to
 * 32 MB (16 MB semi-spaces) and more, and RSS with it: past the 150 MB target in a failure storm
 * (issue 15). `--max-semi-space-size` only counts when node starts (V8 sizes the heap before any
 * script runs), so a launch without node flags cannot use it, and re-executing node with the flag
 * put a second process between the user and the proxy. What V8 does read at run time is how much
 * new space grows each time it grows: `--semi-space-growth-factor=1` keeps new space at the size
 * it has when the flag is set (2 MB of semi-spaces on Node 20–24). So it must be set before the
 * CLI's modules load: loading them alone grows new space to 16 MB. main.ts imports this module
 * first. test/cli-memory/young-generation.test.ts measures it in V8 on the running proxy.
 */
import v8 from 'node:v8';
import path from 'node:path';

export const GROWTH_FLAG = '--semi-space-growth-factor=1';

/** A young-generation flag given on the command line or in NODE_OPTIONS wins: nothing is changed. */
export function youngGenerationFlagGiven(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): boolean {
  return /semi-space/.test([...execArgv, nodeOptions ?? ''].join(' '));
}

/** Sets the growth flag unless the user chose the young generation's size. Returns whether it did. */
export function keepYoungGenerationSmall(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (youngGenerationFlagGiven(execArgv, env.NODE_OPTIONS)) return false;
  v8.setFlagsFromString(GROWTH_FLAG);
  return true;
}

// Only for the CLI run as a program (main.js is the entry), not for a test or library importing it.
if (require.main?.filename === path.join(__dirname, 'main.js')) keepYoungGenerationSmall();
