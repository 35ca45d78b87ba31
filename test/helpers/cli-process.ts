import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../../dist/cli/main.js');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON lines of stdout. */
  lines(): any[];
  /** Resolves with the first stdout line matching, or rejects after the timeout. */
  waitForLine(match: (line: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Waits for `start`'s start line and returns the port it listens on (`--port 0`). */
  listeningPort(timeoutMs?: number): Promise<number>;
  /** Peak resident set size of the process so far, in MB (VmHWM). */
  peakRssMb(): number;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Runs the built CLI (`npm test` builds dist/ first) as a child process; `script`: another path to it. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, script = CLI): CliProcess {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines,
    async waitForLine(match, timeoutMs = 10000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const found = lines().find(match);
        if (found) return found;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(
        `no matching line; exit=${child.exitCode} stdout=${out.slice(-2000)} stderr=${err.slice(-2000)}`,
      );
    },
    async listeningPort(timeoutMs = 30_000) {
      const line = await this.waitForLine((l) => typeof l.listening === 'string', timeoutMs);
      return Number(String(line.listening).split(':').pop());
    },
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    stop(signal = 'SIGTERM', timeoutMs = 10000) {
      return new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve(child.exitCode);
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill(signal);
      });
    },
  };
}
