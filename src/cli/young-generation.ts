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
 *
 * The old generation: V8 lets it grow up to 4× what survived the last full GC before the next
 * one, and in a failure storm (a large line and record per exchange) that alone kept peak RSS
 * near 160 MB. `--heap-growing-percent=100` (read at every GC, so it works at run time) caps
 * the step at 2×: the storm's peak fell to about 113 MB in `npm run bench`, with no CPU per
 * request difference beyond the noise (20 % gave 100 MB and more full GCs). It is not a limit:
 * the heap still grows as far as the live data needs.
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

export const OLD_GROWTH_FLAG = '--heap-growing-percent=100';

/** The user's own choice for the old generation (its growth or its size) wins. */
export function oldGenerationFlagGiven(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): boolean {
  return /heap-growing-percent|max-old-space-size|max-heap-size|optimize-for-size/.test(
    [...execArgv, nodeOptions ?? ''].join(' '),
  );
}

/** Sets the old generation's growth step unless the user chose one. Returns whether it did. */
export function keepOldGenerationGrowthModest(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
  setFlags: (flags: string) => void = v8.setFlagsFromString,
): boolean {
  if (oldGenerationFlagGiven(execArgv, env.NODE_OPTIONS)) return false;
  setFlags(OLD_GROWTH_FLAG);
  return true;
}

// Only for the CLI run as a program (main.js is the entry), not for a test or library importing it.
if (require.main?.filename === path.join(__dirname, 'main.js')) {
  keepYoungGenerationSmall();
  keepOldGenerationGrowthModest();
}
