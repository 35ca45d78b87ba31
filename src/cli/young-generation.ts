/**
 * A small young generation for the long-running command, however the proxy is started.
 *
 * A proxy allocates many short-lived objects per request; with V8's default young generation
 * (up to 16 MB per semi-space, so 32 MB and more of new space) the heap, and so RSS, runs far
 * ahead of what is live, and past the 150 MB target in a failure storm. `npm start` and the image
 * pass `--max-semi-space-size=2`. `v8.setFlagsFromString` at run time does NOT work: V8 sizes the
 * young generation when the heap is created, before any script runs (test/cli-memory/ measures
 * it with `v8.getHeapSpaceStatistics()`). So a launch without the flag (the bin, `node
 * dist/cli/main.js start`) re-executes itself once with it; an environment marker stops a loop.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import v8 from 'node:v8';

export const SEMI_SPACE_FLAG = '--max-semi-space-size=2';
/** Set in the re-executed child: never re-execute twice. */
export const REEXEC_MARKER = 'APPINSIGHTS_AUTH_PROXY_REEXECUTED';
/** Set to 1: the CLI writes one `heap:` line on stderr (what the young generation can grow to). */
export const DEBUG_HEAP_ENV = 'APPINSIGHTS_AUTH_PROXY_DEBUG_HEAP';
/** The file descriptor on which the re-executed child sees its parent's end of a pipe. */
const PARENT_FD = 3;

/** True when the semi-space size was given (command line or NODE_OPTIONS): it wins, no re-exec. */
export function semiSpaceGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return /semi-space-size/.test([...execArgv, nodeOptions ?? ''].join(' '));
}

/** Only the long-running command needs it; short commands (pretty, report, har…) keep one process. */
export function needsReexec(
  argv: readonly string[],
  execArgv: readonly string[],
  env: NodeJS.ProcessEnv,
): boolean {
  return argv[0] === 'start' && env[REEXEC_MARKER] !== '1' && !semiSpaceGiven(execArgv, env.NODE_OPTIONS);
}

/**
 * Runs this same script again in a child node with the flag; resolves with the exit code to use.
 * The child runs in its own process group, so a signal to the whole group (Ctrl-C, `timeout`,
 * `kill -- -pgid`) reaches only this parent, which forwards it exactly once. If this parent dies without a chance to forward (SIGKILL), the child
 * sees its pipe on fd 3 close and dies the same way, so no proxy is left orphaned on its port.
 */
export function reexecWithSmallYoungGeneration(script: string, argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, SEMI_SPACE_FLAG, script, ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    detached: true,
    env: { ...process.env, [REEXEC_MARKER]: '1' },
  });
  const forwarded: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const handlers = forwarded.map((signal) => {
    const h = () => child.kill(signal);
    process.on(signal, h);
    return [signal, h] as const;
  });
  return new Promise<number>((resolve) => {
    child.once('error', (err) => {
      process.stderr.write(`appinsights-auth-proxy: could not re-execute node: ${err.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      if (signal) {
        // Die the way the child died, so whoever started us sees the same thing.
        process.kill(process.pid, signal);
        return;
      }
      resolve(code ?? 1);
    });
  });
}

/**
 * In the re-executed child: end like the parent when the parent is gone (its pipe end closes).
 * Takes the marker out of the environment, so processes this one starts do not inherit it.
 * Returns whether this process is the re-executed child.
 */
export function followParent(env: NodeJS.ProcessEnv): boolean {
  if (env[REEXEC_MARKER] !== '1') return false;
  delete env[REEXEC_MARKER];
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd: PARENT_FD, readable: true, writable: false });
  } catch {
    return true; // started with the marker by hand, without the pipe: nothing to follow
  }
  socket.on('error', () => undefined);
  socket.on('close', () => process.kill(process.pid, 'SIGKILL'));
  socket.resume();
  socket.unref();
  return true;
}

/**
 * What the young generation grows to under churn, in MB: allocates about 64 MB of short-lived
 * objects (bounded) and reads the new space's size. About 2 × the semi-space limit (so ≤ 4 with
 * the flag, 16–32 without). Only run when asked for (DEBUG_HEAP_ENV): it costs tens of ms.
 */
export function measureYoungGenerationMb(): number {
  let sink = 0;
  let peak = 0;
  for (let round = 0; round < 64; round++) {
    const garbage: { i: number; s: string }[] = [];
    for (let i = 0; i < 16_384; i++) garbage.push({ i, s: `x${i}` });
    sink += garbage.length;
    const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    peak = Math.max(peak, newSpace?.space_size ?? 0);
  }
  return sink > 0 ? peak / 2 ** 20 : 0;
}

/** The one debug line: `appinsights-auth-proxy: heap: {"youngGenerationMb":4,"reexecuted":true,…}`. */
export function heapDebugLine(reexecuted: boolean): string {
  return `appinsights-auth-proxy: heap: ${JSON.stringify({
    youngGenerationMb: measureYoungGenerationMb(),
    semiSpaceFlag: process.execArgv.find((a) => a.includes('semi-space-size')) ?? null,
    reexecuted,
    pid: process.pid,
  })}\n`;
}
