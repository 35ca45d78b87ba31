/**
 * `appinsights-auth-proxy demo` as a user runs it: exits 0 within a minute, prints at least six
 * distinct findings with their fix steps, and leaves no process behind.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { requireNetns, runInNetns } from './helpers';

const CLI = path.resolve(__dirname, '../../dist/cli/main.js');
const enabled = requireNetns();
const describeNetns = enabled ? describe : describe.skip;

interface ProcInfo {
  pid: number;
  ppid: number;
  start: string;
  cmd: string;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name "(...)": state ppid ... starttime is field 22.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(rest[1]), start: rest[19] ?? '', cmd };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (by walking /proc). */
function descendantsOf(root: number): ProcInfo[] {
  const all = allProcesses();
  const found: ProcInfo[] = [];
  let frontier = [root];
  for (let depth = 0; depth < 8 && frontier.length > 0; depth++) {
    const children = all.filter((p) => frontier.includes(p.ppid));
    found.push(...children);
    frontier = children.map((p) => p.pid);
  }
  return found;
}

function allProcesses(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProc(Number(name)))
    .filter((p): p is ProcInfo => p !== undefined);
}

/** Live processes whose environment carries this marker (children inherit it, orphans too). */
function processesMarked(marker: string): ProcInfo[] {
  return allProcesses().filter((p) => {
    try {
      return readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0').includes(marker);
    } catch {
      return false;
    }
  });
}

/** Same PID and same start time: the very process is still there (not a reused PID). */
function stillAlive(p: ProcInfo): boolean {
  const now = readProc(p.pid);
  return now !== undefined && now.start === p.start;
}

/** Finding ids whose printed block carries numbered fix steps. */
function findingsWithFixes(output: string): string[] {
  const ids = new Set<string>();
  const blocks = output.split(/\n(?= {2}(?:ERROR|WARN |INFO ) [A-Z0-9_]+:)/);
  for (const block of blocks) {
    const m = /^ {2}(?:ERROR|WARN ) ([A-Z][A-Z0-9_]+):/.exec(block);
    if (m && /\n {6}fix:\n {8}1\. \S/.test(block)) ids.add(m[1]!);
  }
  return [...ids];
}

describeNetns('appinsights-auth-proxy demo', () => {
  it('finishes within a minute, shows six or more findings with fixes, and leaves no process behind', async () => {
    // Other people may run the same tests at the same time: our processes carry a unique marker.
    const marker = `E2E_DEMO_PROCESS_MARK=${process.pid}-${Date.now()}`;
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, 'demo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, E2E_DEMO_PROCESS_MARK: marker.split('=')[1] },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const seen = new Map<string, ProcInfo>();
    // A command line changes with exec (unshare, sh, node): keep every one seen.
    const commands = new Set<string>();
    const poll = setInterval(() => {
      for (const p of descendantsOf(child.pid!)) {
        seen.set(`${p.pid}/${p.start}`, p);
        commands.add(p.cmd);
      }
    }, 20);
    const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearInterval(poll);
    clearTimeout(killer);
    const elapsed = Date.now() - started;

    expect({ code, stderr: stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
    expect(elapsed).toBeLessThan(60000);
    expect(stdout).toContain('Isolation: a private network namespace');
    const ids = findingsWithFixes(stdout);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expect(ids).toEqual(
      expect.arrayContaining([
        'TOKEN_MISSING',
        'ENTRA_ONLY_RESOURCE_V2_PATH',
        'TOKEN_EXPIRED',
        'TOKEN_WRONG_AUDIENCE',
        'ROLE_MISSING',
        'ENTRA_APP_NOT_FOUND',
        // Findings across exchanges, each its own line.
        'TOKEN_REQUEST_NOT_SEEN',
        'TOKEN_USED_AFTER_EXPIRY',
        'CLOUD_MISMATCH',
        // check with a wrong secret.
        'ENTRA_INVALID_CLIENT_SECRET',
      ]),
    );
    expect(stdout).toMatch(
      /TRAFFIC TOKEN_REQUEST_NOT_SEEN cleared at \d\d:\d\d:\d\d: a token request went through the proxy/,
    );
    // The check scenarios: blocked with a wrong secret, a 200 and exit 0 with the right one.
    expect(stdout).toMatch(/verdict: BLOCKED \(exit 3\) — BLOCKED at token: ENTRA_INVALID_CLIENT_SECRET/);
    expect(stdout).toMatch(/\[ ok \] track +POST v2\.1\/track with the token → 200/);
    expect(stdout).toContain('verdict: OK (exit 0)');
    expect(stdout).toMatch(/Summary\n/);
    expect(stdout).toMatch(/11 scenarios, \d+ distinct findings/);
    expect(stdout).not.toContain('demo-secret-never-logged');

    // What the demo started (the inner demo in the namespace, the SDK app, ...): all gone now.
    const children = [...seen.values()];
    expect([...commands].join('\n')).toContain('demo/sdk-app.js');
    expect(children.filter(stillAlive)).toEqual([]);
    // And no orphan a poll may have missed.
    expect(processesMarked(marker)).toEqual([]);
  }, 70000);

  it('without the namespace (--netns false) it isolates by resolving every name to the fake', async () => {
    // Still launched inside a namespace by the test, so the real SDKs cannot leave the machine.
    const run = await runInNetns([process.execPath, CLI, 'demo', '--netns', 'false'], 60000);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Isolation: every name the proxy connects to is resolved to the local fake');
    expect(findingsWithFixes(run.stdout).length).toBeGreaterThanOrEqual(6);
  }, 70000);
});
