/**
 * Issue 15, item 4: the RSS targets hold however the proxy is started, without node flags. They
 * depend on a small young generation (src/cli/young-generation.ts). These tests read what V8
 * actually does in the running proxy (v8.getHeapSpaceStatistics() under churn, through a preload
 * that changes nothing in the heap's configuration), and compare it with V8's defaults measured the
 * same way on the same Node with the same modules loaded: never a version-specific absolute, since
 * each Node line sizes new space its own way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, runCli, type CliProcess } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import {
  keepOldGenerationGrowthModest,
  keepYoungGenerationSmall,
  OLD_GROWTH_FLAG,
  youngGenerationFlagGiven,
} from '../../src/cli/young-generation';

/**
 * Preloaded with `node -r`: once the entry script has been evaluated (setImmediate), makes about
 * 50 MB of short-lived objects, keeping a few (so survivors ask V8 to grow new space), and writes
 * the new space's size over the churn: the median (its capacity: Node 24 also adds pages beyond it
 * for a moment while a full GC marks, with the node flag too) and the peak.
 */
const PRELOAD = `
const v8 = require('node:v8');
setImmediate(() => {
  const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
  const samples = [];
  const keep = [];
  for (let round = 0; round < 200; round++) {
    const garbage = [];
    for (let i = 0; i < 16384; i++) garbage.push({ i, s: 'x' + i });
    if (round % 10 === 0) keep.push(garbage.slice(0, 1000));
    samples.push(size());
  }
  samples.sort((a, b) => a - b);
  const line = { medianMb: samples[samples.length >> 1], peakMb: samples[samples.length - 1], kept: keep.length, pid: process.pid };
  process.stderr.write('young-generation: ' + JSON.stringify(line) + '\\n');
});
`;

interface YoungGeneration {
  medianMb: number;
  peakMb: number;
  pid: number;
}

function parseLine(stderr: string): YoungGeneration | undefined {
  const m = /young-generation: (\{.*\})/.exec(stderr);
  return m ? (JSON.parse(m[1]!) as YoungGeneration) : undefined;
}

const tmp = tempDir();
const preload = path.join(tmp.dir, 'measure-young-generation.js');
beforeAll(() => writeFileSync(preload, PRELOAD));
afterAll(() => tmp.cleanup());

/** A symlink named like the one npm puts in node_modules/.bin. */
function binLink(): string {
  const link = path.join(tmp.dir, 'appinsights-auth-proxy');
  if (!existsSync(link)) symlinkSync(CLI, link);
  return link;
}

/** V8's defaults on this Node: the CLI's modules loaded by a script that is not the CLI entry. */
function defaultsOnThisNode(): YoungGeneration {
  const r = spawnSync(process.execPath, ['-r', preload, '-e', `require(${JSON.stringify(CLI)})`], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const line = parseLine(r.stderr);
  if (!line) throw new Error(`no measurement: status ${r.status}, stderr ${r.stderr.slice(-2000)}`);
  return line;
}

describe('the young generation of `node dist/cli/main.js start` without node flags (as the bin runs it)', () => {
  let cli: CliProcess | undefined;
  afterEach(async () => {
    await cli?.stop('SIGKILL');
    cli = undefined;
  });

  // dist/cli/main.js itself, and through a symlink as npm links the bin (node resolves it).
  it.each([
    ['main.js', () => undefined],
    ['the bin link', () => binLink()],
  ])(
    '%s: stays at most half of what V8 gives the same modules by default on this Node, in the one process started',
    async (_name, script) => {
      const defaults = defaultsOnThisNode();
      cli = runCli(
        ['start', '--port', '0', '--ca-dir', path.join(tmp.dir, 'ca'), '--log-format', 'json'],
        {
          NODE_OPTIONS: `-r ${preload}`,
        },
        script(),
      );
      let proxy: YoungGeneration | undefined;
      for (let i = 0; i < 1200 && !(proxy = parseLine(cli.stderr())) && cli.child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!proxy) throw new Error(`no measurement: stderr ${cli.stderr().slice(-2000)}`);
      // The default grows with survivors (16 MB semi-spaces and more); the fix keeps the size it had.
      expect(proxy.medianMb).toBeLessThanOrEqual(defaults.medianMb / 2);
      // One process: the pid the user started is the proxy (a SIGKILL to it takes the proxy down).
      expect(proxy.pid).toBe(cli.child.pid);
      // And it serves: the start-up line, then a clean stop on SIGTERM.
      await cli.waitForLine((l) => typeof l.listening === 'string', 60_000);
      const started = cli;
      cli = undefined;
      expect(await started.stop('SIGTERM', 20_000)).toBe(0);
    },
  );
});

describe('who chooses the young generation', () => {
  it('a young-generation flag given on the command line or in NODE_OPTIONS wins', () => {
    expect(youngGenerationFlagGiven(['--max-semi-space-size=2'], undefined)).toBe(true);
    expect(youngGenerationFlagGiven([], '--max-old-space-size=512 --max-semi-space-size=8')).toBe(true);
    expect(youngGenerationFlagGiven(['--semi-space-growth-factor=2'], '')).toBe(true);
    expect(youngGenerationFlagGiven(['--max-old-space-size=512'], '--enable-source-maps')).toBe(false);
    expect(keepYoungGenerationSmall(['--max-semi-space-size=8'], {})).toBe(false);
  });
});

describe('the old generation grows in steps of 2× at most (peak RSS in a failure storm)', () => {
  it('is set at run time unless the user chose the old generation', () => {
    const set: string[] = [];
    expect(keepOldGenerationGrowthModest([], {}, (f) => set.push(f))).toBe(true);
    expect(set).toEqual([OLD_GROWTH_FLAG]);
    for (const [argv, nodeOptions] of [
      [['--heap-growing-percent=50'], undefined],
      [[], '--max-old-space-size=512'],
      [['--optimize-for-size'], ''],
      [[], '--max-heap-size=256'],
    ] as const) {
      expect(keepOldGenerationGrowthModest(argv, { NODE_OPTIONS: nodeOptions }, (f) => set.push(f))).toBe(
        false,
      );
    }
    expect(set).toHaveLength(1);
  });
});
