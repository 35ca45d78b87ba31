/**
 * Runs a JSON list of steps against the demo stack and writes the results as JSON: the entry the
 * end-to-end tests start inside a private network namespace.
 *
 *   node dist/demo/run-steps.js STEPS.json RESULT.json [--no-statsbeat] [--fake-port N] [--quiet-after S]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { startStack } from './stack';
import type { Step, StepResult } from './steps';

export interface RunStepsResult {
  results: StepResult[];
  proxyLines: Record<string, any>[];
  fakeLog: string[];
  appStderr: string;
  appPid?: number;
  proxyCaPath: string;
  totalMs: number;
}

async function main(argv: string[]): Promise<number> {
  const [stepsFile, resultFile, ...flags] = argv;
  if (!stepsFile || !resultFile) {
    process.stderr.write('usage: run-steps STEPS.json RESULT.json [--no-statsbeat]\n');
    return 2;
  }
  const steps = JSON.parse(readFileSync(stepsFile, 'utf8')) as Step[];
  const started = Date.now();
  const numberAfter = (flag: string) => {
    const i = flags.indexOf(flag);
    return i === -1 ? undefined : Number(flags[i + 1]);
  };
  const stack = await startStack({
    noStatsbeat: flags.includes('--no-statsbeat'),
    keepFakeLog: true,
    fakePort: numberAfter('--fake-port'),
    quietAfter: numberAfter('--quiet-after'),
  });
  const results: StepResult[] = [];
  try {
    for (const step of steps) {
      results.push(await stack.run(step));
      process.stderr.write(`step ${step.id}: ${results.at(-1)?.findingIds.join(',') || '(no findings)'}\n`);
    }
  } finally {
    const output: RunStepsResult = {
      results,
      proxyLines: stack.lines,
      fakeLog: stack.fakeLog,
      appStderr: stack.appStderr(),
      appPid: stack.appPid,
      proxyCaPath: stack.proxyCaPath,
      totalMs: Date.now() - started,
    };
    await stack.close();
    writeFileSync(resultFile, JSON.stringify(output, null, 1));
  }
  return 0;
}

if (require.main === module) {
  // Bounded: a stuck SDK must not keep a test (or the namespace) alive.
  const watchdog = setTimeout(() => {
    process.stderr.write('run-steps: gave up after 150 s\n');
    process.exit(3);
  }, 150_000);
  watchdog.unref();
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`run-steps: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
