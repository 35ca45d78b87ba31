/**
 * Issue 15, item 4: the RSS targets hold however the proxy is started. They depend on a small
 * young generation (--max-semi-space-size=2); these tests read what V8 actually does
 * (v8.getHeapSpaceStatistics() under churn), not timings or RSS thresholds.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { needsReexec, SEMI_SPACE_FLAG } from '../../src/cli/young-generation';

const YOUNG_GEN = path.resolve(__dirname, '../../dist/cli/young-generation.js');

/** Runs a fresh node that measures its own young generation under churn, in MB. */
function youngGenerationOf(nodeArgs: string[], before = ''): number {
  const r = spawnSync(
    process.execPath,
    [
      ...nodeArgs,
      '-e',
      `${before}; console.log(require(${JSON.stringify(YOUNG_GEN)}).measureYoungGenerationMb())`,
    ],
    { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } },
  );
  if (r.status !== 0) throw new Error(`node failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

function heapLine(cli: CliProcess): any {
  const m = /appinsights-auth-proxy: heap: (\{.*\})/.exec(cli.stderr());
  return m ? JSON.parse(m[1]!) : undefined;
}

async function waitForHeapLine(cli: CliProcess): Promise<any> {
  for (let i = 0; i < 600 && !heapLine(cli) && cli.child.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const line = heapLine(cli);
  if (!line) throw new Error(`no heap line; stderr=${cli.stderr().slice(-2000)}`);
  return line;
}

describe('the young generation, measured in V8', () => {
  it('the flag on the command line bounds it; v8.setFlagsFromString at run time does not (why the CLI re-executes)', () => {
    const withoutFlag = youngGenerationOf([]);
    const withFlag = youngGenerationOf([SEMI_SPACE_FLAG]);
    const atRunTime = youngGenerationOf([], `require('node:v8').setFlagsFromString('${SEMI_SPACE_FLAG}')`);
    expect(withFlag).toBeLessThanOrEqual(4);
    expect(withoutFlag).toBeGreaterThan(withFlag);
    expect(atRunTime).toBeGreaterThan(withFlag);
  });

  it('only `start` re-executes, once, and never when the flag is given or already re-executed', () => {
    expect(needsReexec(['start', '--port', '0'], [], {})).toBe(true);
    expect(needsReexec(['pretty', 'x.log'], [], {})).toBe(false);
    expect(needsReexec(['start'], ['--max-semi-space-size=4'], {})).toBe(false);
    expect(needsReexec(['start'], [], { NODE_OPTIONS: '--max-semi-space-size=1' })).toBe(false);
    expect(needsReexec(['start'], [], { APPINSIGHTS_AUTH_PROXY_REEXECUTED: '1' })).toBe(false);
  });
});

describe('`node dist/cli/main.js start` without flags', () => {
  const tmp = tempDir();
  let cli: CliProcess | undefined;
  afterEach(async () => {
    await cli?.stop('SIGTERM');
    cli = undefined;
  });
  afterAll(() => tmp.cleanup());

  it('runs the proxy with a young generation of at most 4 MB (2 MB semi-spaces), like `npm start`', async () => {
    cli = runCli(['start', '--port', '0', '--ca-dir', path.join(tmp.dir, 'ca1'), '--log-format', 'json'], {
      APPINSIGHTS_AUTH_PROXY_DEBUG_HEAP: '1',
      NODE_OPTIONS: '',
    });
    const heap = await waitForHeapLine(cli);
    expect(heap.semiSpaceFlag).toBe(SEMI_SPACE_FLAG);
    expect(heap.reexecuted).toBe(true);
    expect(heap.youngGenerationMb).toBeLessThanOrEqual(4);
    expect(heap.pid).not.toBe(cli.child.pid);
    // The re-executed proxy serves: its startup line reaches our stdout.
    await cli.waitForLine((l) => typeof l.listening === 'string', 30_000);
    // SIGTERM to the process we started stops the proxy cleanly (forwarded once), exit 0.
    expect(await cli.stop('SIGTERM', 20_000)).toBe(0);
  });

  it('a flag given by the user wins and nothing is re-executed', async () => {
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=1', path.resolve(__dirname, '../../dist/cli/main.js'), 'start', '--port', '0'],
      {
        env: {
          ...process.env,
          APPINSIGHTS_AUTH_PROXY_DEBUG_HEAP: '1',
          NODE_OPTIONS: '',
          AIPROXY_CA_DIR: path.join(tmp.dir, 'ca2'),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    for (let i = 0; i < 600 && !err.includes('heap:') && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const heap = JSON.parse(/heap: (\{.*\})/.exec(err)![1]!);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(heap).toMatchObject({
      semiSpaceFlag: '--max-semi-space-size=1',
      reexecuted: false,
      pid: child.pid,
    });
  });

  it('a SIGKILL to the process we started takes the re-executed proxy with it (no orphan on the port)', async () => {
    cli = runCli(['start', '--port', '0', '--ca-dir', path.join(tmp.dir, 'ca3')], {
      APPINSIGHTS_AUTH_PROXY_DEBUG_HEAP: '1',
      NODE_OPTIONS: '',
    });
    const heap = await waitForHeapLine(cli);
    const childPid: number = heap.pid;
    expect(childPid).not.toBe(cli.child.pid);
    const started = cli;
    cli = undefined; // stopped here, not in afterEach
    const exited = new Promise((r) => started.child.once('exit', r));
    started.child.kill('SIGKILL');
    await exited;
    // Bounded wait on the event (the child's pid disappearing), not a fixed sleep.
    let alive = true;
    for (let i = 0; i < 400 && alive; i++) {
      try {
        process.kill(childPid, 0);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});
