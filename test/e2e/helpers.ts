import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canUseNetns, spawnInNetns } from '../../src/demo/netns';
import type { RunStepsResult } from '../../src/demo/run-steps';
import type { Step, StepResult } from '../../src/demo/steps';

export const DIST = path.resolve(__dirname, '../../dist');
export const RUN_STEPS = path.join(DIST, 'demo/run-steps.js');

/**
 * Real SDKs connect straight to Azure IMDS (169.254.169.254), so they only ever run inside a private
 * network namespace. Without one (not root, no unshare) these tests fail, unless explicitly skipped.
 */
export function requireNetns(): boolean {
  if (canUseNetns()) return true;
  if (process.env.SKIP_NETNS_E2E === '1') return false;
  throw new Error(
    'the real-SDK end-to-end tests need a private network namespace (run as root with unshare and ip); ' +
      'set SKIP_NETNS_E2E=1 to skip them on this machine',
  );
}

export interface NetnsRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs argv inside a private network namespace, bounded by timeoutMs (then SIGKILL by PID). */
export function runInNetns(argv: string[], timeoutMs = 60000): Promise<NetnsRun> {
  const started = Date.now();
  const { child, cleanup } = spawnInNetns(argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      cleanup();
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs steps against the fake + proxy + SDK app, all inside one namespace launch. */
export async function runStepsInNetns(
  steps: Step[],
  options: { noStatsbeat?: boolean; timeoutMs?: number; fakePort?: number; quietAfter?: number } = {},
): Promise<RunStepsResult & { run: NetnsRun }> {
  if (!existsSync(RUN_STEPS)) throw new Error(`${RUN_STEPS} is missing: build first (npx tsc)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aiproxy-e2e-'));
  try {
    const stepsFile = path.join(dir, 'steps.json');
    const resultFile = path.join(dir, 'result.json');
    writeFileSync(stepsFile, JSON.stringify(steps));
    const argv = [process.execPath, RUN_STEPS, stepsFile, resultFile];
    if (options.noStatsbeat) argv.push('--no-statsbeat');
    if (options.fakePort !== undefined) argv.push('--fake-port', String(options.fakePort));
    if (options.quietAfter !== undefined) argv.push('--quiet-after', String(options.quietAfter));
    const run = await runInNetns(argv, options.timeoutMs ?? 120000);
    if (run.code !== 0 || !existsSync(resultFile)) {
      throw new Error(`run-steps failed (exit ${run.code}): ${run.stderr.slice(-3000)}`);
    }
    return { ...(JSON.parse(readFileSync(resultFile, 'utf8')) as RunStepsResult), run };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function stepOf(result: RunStepsResult, id: string): StepResult {
  const step = result.results.find((r) => r.id === id);
  if (!step) throw new Error(`no result for step ${id}`);
  return step;
}

/** Exchange lines of a step, optionally only those whose path matches. */
export function exchangesOf(step: StepResult, pathMatch?: RegExp): Record<string, any>[] {
  return step.lines.filter(
    (l) => l.exchange && (!pathMatch || pathMatch.test(String(l.exchange.request?.path ?? ''))),
  );
}

/** The first exchange line of a step whose path matches; throws when there is none. */
export function firstExchange(step: StepResult, pathMatch: RegExp): Record<string, any> {
  const line = exchangesOf(step, pathMatch)[0];
  if (!line) throw new Error(`step ${step.id}: no exchange matching ${pathMatch}`);
  return line;
}

/** The finding ids of the exchanges of a step whose path matches (statsbeat excluded). */
export function findingsOn(step: StepResult, pathMatch: RegExp): string[] {
  return exchangesOf(step, pathMatch)
    .filter((l) => !(l.findings ?? []).some((f: { id: string }) => f.id === 'SDK_SELF_TELEMETRY'))
    .flatMap((l) => (l.findings ?? []).map((f: { id: string }) => f.id));
}

/** True when a process with this PID still exists. */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
