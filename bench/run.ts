/**
 * `npm run bench`: CPU per request (the primary figure), throughput, latency, memory and
 * first-response times of this proxy next to direct access, a plain CONNECT tunnel, bare
 * http-mitm-proxy (defaults, and with keepAlive + TCP_NODELAY) and mitmdump, on an
 * Application-Insights-like workload, with two load generators (undici, and raw TLS sockets in
 * separate processes) and a failure storm (an expired token on every request). This proxy runs
 * as the bin, without node flags. Writes docs/performance.md; the targets of issue 15 are
 * computed by bench/targets-15.ts. About 11 minutes on 2 cores (at most 12: BUDGET_MS).
 *
 * Stage "outer" (as started): makes sure mitmdump is installed (apt-get, or skip and say so),
 * writes a private hosts file, and re-runs itself in a private network namespace
 * (`unshare -n -m`: loopback only, real Azure host names mapped to 127.0.0.1).
 * Stage "inner": starts every server, runs interleaved repetitions, the soak, writes the report.
 *
 * Knobs (env): BENCH_REPS (3), BENCH_CELL_MS (2000), BENCH_WARMUP_MS (400), BENCH_SOAK (100000),
 * BENCH_SKIP_MITMDUMP=1, BENCH_ONLY=proxy,mitmdump (a subset, for quick looks; the report says so),
 * BENCH_CELLS=storm,raw-tls (only the cells whose key contains one of these; the report says so),
 * BENCH_PROXY_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (node flags for this proxy's processes;
 * none by default: the proxy runs as the bin runs it, `node dist/cli/main.js start`, without node flags),
 * BENCH_PROXY_MAIN=/path/to/dist/cli/main.js (measure another build of this proxy, e.g. an experiment),
 * BENCH_SOAK_RSS_LIMIT_MB (2048): the soak stops early if the proxy grows beyond this,
 * BENCH_OUT (docs/performance.md): where the report goes (experiments should not overwrite it),
 * BENCH_PAGE=browser|sse|none: how the inspector cell keeps the page open (default: chromium when
 * /usr/bin/chromium exists, else a reader of the page's feed; none skips the cell).
 */
import { type ChildProcess, execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CellRequest, CellResult } from './load';
import { mergeParts, type RawCellPart, type RawCellRequest } from './load-raw';
import { cpuMs, spawnReady, statusMb, stop, waitForPort } from './procs';
import { measurePageCell } from './page-cell';
import { type Report, writeReport } from './report';
import { describeBodies, HOST } from './workload';

const ROOT = path.resolve(__dirname, '../../..');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const CELL_MS = Number(process.env.BENCH_CELL_MS ?? 2000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 400);
const SOAK_COUNT = Number(process.env.BENCH_SOAK ?? 100_000);
// The whole default run stays within 12 minutes on 2 cores (it is run three times in a row).
const BUDGET_MS = 12 * 60_000;
const SOAK_RSS_LIMIT_MB = Number(process.env.BENCH_SOAK_RSS_LIMIT_MB ?? 2048);
const PROXY_MAIN = process.env.BENCH_PROXY_MAIN ?? path.join(ROOT, 'dist/cli/main.js');
const FRESH_SUFFIX = '.in.applicationinsights.azure.com';
const PROXY_NODE_FLAGS = process.env.BENCH_PROXY_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
/** Extra `start` flags for this proxy (experiments, e.g. `--ui false`); the report lists them. */
const PROXY_EXTRA_ARGS = process.env.BENCH_PROXY_ARGS?.split(' ').filter(Boolean) ?? [];

export const CONFIGS = [
  'direct',
  'tunnel',
  'bare-mitm',
  'bare-mitm-ka',
  'mitmdump',
  'proxy',
  'proxy-noanalysis',
  'node-floor',
] as const;
export type ConfigKey = (typeof CONFIGS)[number];
/**
 * Two load generators (issue 15): `undici` (bench/load.ts: undici ProxyAgent for keep-alive,
 * https-proxy-agent for new connections) and `raw-tls` (bench/load-raw.ts: raw TLS sockets
 * through CONNECT writing pre-built requests, in RAW_WORKERS processes). `storm`: every request
 * carries an expired token, so every exchange draws a finding (TOKEN_EXPIRED) and every log line
 * carries one; run only for the configurations that matter to its targets.
 */
interface CellSpec {
  pattern: 'ka' | 'new';
  body: 'small' | 'large';
  concurrency: number;
  generator: 'undici' | 'raw-tls';
  storm: boolean;
  configs?: readonly ConfigKey[];
}
const STORM_CONFIGS = ['bare-mitm-ka', 'proxy', 'proxy-noanalysis'] as const;
/** The Node floor answers one question (what any Node relay costs with keep-alive): c16 keep-alive cells only. */
const FLOOR_CELL = (pattern: 'ka' | 'new', concurrency: number) => pattern === 'ka' && concurrency === 16;
const healthy = (pattern: 'ka' | 'new', body: 'small' | 'large', concurrency: number): CellSpec => ({
  pattern,
  body,
  concurrency,
  generator: 'undici',
  storm: false,
  configs: FLOOR_CELL(pattern, concurrency) ? CONFIGS : CONFIGS.filter((k) => k !== 'node-floor'),
});
/** The second generator compares proxies: direct access and the no-keep-alive library add nothing there. */
const RAW_CONFIGS = CONFIGS.filter((k) => k !== 'direct' && k !== 'bare-mitm');
// New-connection cells run at c16 only (no target reads c1 there): the run stays within its budget.
export const CELLS: readonly CellSpec[] = [
  healthy('ka', 'small', 1),
  healthy('ka', 'small', 16),
  healthy('ka', 'large', 1),
  healthy('ka', 'large', 16),
  healthy('new', 'small', 16),
  healthy('new', 'large', 16),
  { ...healthy('ka', 'small', 16), generator: 'raw-tls', configs: RAW_CONFIGS },
  { ...healthy('ka', 'large', 16), generator: 'raw-tls', configs: RAW_CONFIGS },
  { ...healthy('ka', 'small', 16), storm: true, configs: STORM_CONFIGS },
  { ...healthy('ka', 'large', 16), storm: true, configs: STORM_CONFIGS },
  { ...healthy('ka', 'small', 16), generator: 'raw-tls', storm: true, configs: STORM_CONFIGS },
  { ...healthy('ka', 'large', 16), generator: 'raw-tls', storm: true, configs: STORM_CONFIGS },
];
export type Cell = CellSpec;
/** e.g. `ka small c16`, `raw-tls ka small c16`, `storm raw-tls ka large c16`. */
export const cellKey = (c: Cell) =>
  `${c.storm ? 'storm ' : ''}${c.generator === 'raw-tls' ? 'raw-tls ' : ''}${c.pattern} ${c.body} c${c.concurrency}`;
const RAW_WORKERS = 2;

function freshHosts(rep: number, config: number): string[] {
  return ['a', 'b'].map((x) => `fresh-r${rep}-c${config}-${x}${FRESH_SUFFIX}`);
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

// ---- outer stage ------------------------------------------------------------------------------

function ensureMitmdump(): string {
  if (process.env.BENCH_SKIP_MITMDUMP === '1') return 'skip:BENCH_SKIP_MITMDUMP=1';
  const found = spawnSync('sh', ['-c', 'command -v mitmdump'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) {
    return 'skip:mitmdump is not installed and apt-get is not usable here (install the Debian package "mitmproxy")';
  }
  log('mitmdump not found: apt-get install -y mitmproxy (bounded to 5 minutes)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-q', 'mitmproxy'], {
    stdio: 'inherit',
    timeout: 300_000,
    env,
  });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', timeout: 120_000, env });
    r = spawnSync('apt-get', ['install', '-y', '-q', 'mitmproxy'], {
      stdio: 'inherit',
      timeout: 300_000,
      env,
    });
  }
  const again = spawnSync('sh', ['-c', 'command -v mitmdump'], { encoding: 'utf8' });
  return again.status === 0 && again.stdout.trim()
    ? again.stdout.trim()
    : 'skip:apt-get install mitmproxy failed';
}

function outer(): number {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    log('the bench runs in a private network namespace (unshare -n -m) and needs Linux and root; not run.');
    return 1;
  }
  const mitmdump = ensureMitmdump();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'aiproxy-bench-'));
  const names = [HOST];
  for (let r = 0; r < REPS; r++) for (let c = 0; c < CONFIGS.length; c++) names.push(...freshHosts(r, c));
  const hosts = path.join(tmp, 'hosts');
  writeFileSync(
    hosts,
    `127.0.0.1 localhost\n::1 localhost ip6-localhost\n${names.map((n) => `127.0.0.1 ${n}`).join('\n')}\n`,
  );
  const script = [
    'set -e',
    `mount --bind "$BENCH_HOSTS" /etc/hosts`,
    'ip link set lo up',
    // The new-connection pattern opens tens of thousands of connections: widen the port range.
    'sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=4096 || true',
    'exec "$0" "$@"',
  ].join('\n');
  const r = spawnSync('unshare', ['-n', '-m', '--', 'sh', '-c', script, process.execPath, __filename], {
    stdio: 'inherit',
    env: {
      ...process.env,
      BENCH_STAGE: 'inner',
      BENCH_MITMDUMP: mitmdump,
      BENCH_TMP: tmp,
      BENCH_HOSTS: hosts,
    },
  });
  rmSync(tmp, { recursive: true, force: true });
  if (r.error) log(`unshare failed: ${r.error.message}`);
  return r.status ?? 1;
}

// ---- inner stage ------------------------------------------------------------------------------

interface Running {
  key: ConfigKey;
  proxyUrl?: string;
  child?: ChildProcess;
  /** The process doing the work (CPU, RSS). */
  pid?: number;
  ca: string;
  logFile?: string;
}

class LoadClient {
  private readonly child: ChildProcess;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  constructor(script = 'load.js') {
    this.child = fork(path.join(__dirname, script), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error));
      else w?.resolve(msg.result);
    });
  }

  call<T>(msg: Record<string, unknown>, timeoutMs: number): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`load client did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ ...msg, id });
    });
  }

  /** A message without an answer (e.g. stop a running soak). */
  notify(msg: Record<string, unknown>): void {
    this.child.send(msg);
  }

  close(): Promise<void> {
    return stop(this.child);
  }
}

/** The raw-tls generator: RAW_WORKERS processes, each with its share of a cell's lanes. */
class RawLoad {
  private readonly workers = Array.from({ length: RAW_WORKERS }, () => new LoadClient('load-raw.js'));

  async cell(msg: Omit<CellRequest, 'id'>): Promise<CellResult> {
    const began = performance.now();
    const parts = await Promise.all(
      this.workers.map((w, i) => {
        const lanes = Math.floor(msg.concurrency / RAW_WORKERS) + (i < msg.concurrency % RAW_WORKERS ? 1 : 0);
        const req: Omit<RawCellRequest, 'id'> = {
          type: 'cell',
          proxyUrl: msg.target.proxyUrl,
          lanes,
          body: msg.body,
          token: msg.token ?? 'fresh',
          host: msg.host,
          warmupMs: msg.warmupMs,
          durationMs: msg.durationMs,
          ca: msg.ca,
        };
        return lanes > 0
          ? w.call<RawCellPart>(req, msg.durationMs + msg.warmupMs + 30_000)
          : Promise.resolve<RawCellPart>({ total: 0, errors: 0, errorSamples: [], latencies: [] });
      }),
    );
    return mergeParts(parts, Math.min(msg.durationMs, performance.now() - began - msg.warmupMs));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  }
  return n;
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 20_000 }).trim().split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

/** The figures belong to the commit only when nothing outside it was built in. */
function treeIsClean(): boolean {
  try {
    return (
      execFileSync('git', ['-C', ROOT, 'status', '--porcelain'], {
        encoding: 'utf8',
        timeout: 20_000,
      }).trim() === ''
    );
  } catch {
    return false;
  }
}

function pkgVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

async function inner(): Promise<number> {
  const began = Date.now();
  const tmp = process.env.BENCH_TMP!;
  const mitmdumpBin = process.env.BENCH_MITMDUMP!;
  const children: ChildProcess[] = [];
  const running = new Map<ConfigKey, Running>();
  const notes: string[] = [];
  const roles = path.join(__dirname, 'roles.js');
  const load = new LoadClient();
  const raw = new RawLoad();
  try {
    const up = await spawnReady(
      process.execPath,
      [roles, 'upstream', JSON.stringify({ port: 443, dir: tmp, wildcard: `*${FRESH_SUFFIX}` })],
      {},
      30_000,
    );
    children.push(up.child);
    const upstreamCaFile = up.info.caFile as string;
    const upstreamCa = readFileSync(upstreamCaFile, 'utf8');
    running.set('direct', { key: 'direct', ca: upstreamCa });

    const tunnel = await spawnReady(
      process.execPath,
      [roles, 'tunnel', JSON.stringify({ port: 8001 })],
      {},
      30_000,
    );
    children.push(tunnel.child);
    running.set('tunnel', {
      key: 'tunnel',
      proxyUrl: 'http://127.0.0.1:8001',
      child: tunnel.child,
      pid: tunnel.child.pid,
      ca: upstreamCa,
    });

    for (const [key, port] of [
      ['bare-mitm', 8002],
      ['bare-mitm-ka', 8006],
      ['node-floor', 8007],
    ] as const) {
      const bare = await spawnReady(
        process.execPath,
        [roles, key, JSON.stringify({ port, dir: path.join(tmp, key) })],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: upstreamCaFile } },
        60_000,
      );
      children.push(bare.child);
      running.set(key, {
        key,
        proxyUrl: `http://127.0.0.1:${port}`,
        child: bare.child,
        pid: bare.child.pid,
        ca: readFileSync(bare.info.caFile, 'utf8'),
      });
    }

    let mitmdumpVersion = 'not run';
    if (mitmdumpBin.startsWith('skip:')) {
      notes.push(`mitmdump was skipped: ${mitmdumpBin.slice(5)}. Ratios to mitmdump are therefore missing.`);
    } else {
      mitmdumpVersion = version(mitmdumpBin, ['--version']);
      const confdir = path.join(tmp, 'mitmproxy');
      const child = spawn(
        mitmdumpBin,
        [
          '-q',
          '--listen-host',
          '127.0.0.1',
          '--listen-port',
          '8003',
          '--set',
          `confdir=${confdir}`,
          '--set',
          `ssl_verify_upstream_trusted_ca=${upstreamCaFile}`,
        ],
        { stdio: ['ignore', 'ignore', 'ignore'] },
      );
      children.push(child);
      await waitForPort(8003, 60_000, child);
      running.set('mitmdump', {
        key: 'mitmdump',
        proxyUrl: 'http://127.0.0.1:8003',
        child,
        pid: child.pid,
        ca: readFileSync(path.join(confdir, 'mitmproxy-ca-cert.pem'), 'utf8'),
      });
    }

    for (const [key, port, analysis] of [
      ['proxy', 8004, true],
      ['proxy-noanalysis', 8005, false],
    ] as const) {
      const caDir = path.join(tmp, `${key}-ca`);
      const logFile = path.join(tmp, `${key}.log`);
      const fd = openSync(logFile, 'w');
      const errFd = openSync(`${logFile}.stderr`, 'w');
      const child = spawn(
        process.execPath,
        [
          // As the bin runs it: no node flags (issue 15: the memory targets hold without them).
          ...PROXY_NODE_FLAGS,
          PROXY_MAIN,
          'start',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--ca-dir',
          caDir,
          '--upstream-ca',
          upstreamCaFile,
          '--log-format',
          'json',
          '--analysis',
          String(analysis),
          ...PROXY_EXTRA_ARGS,
        ],
        { stdio: ['ignore', fd, errFd] },
      );
      closeSync(fd);
      closeSync(errFd);
      children.push(child);
      await waitForPort(port, 60_000, child);
      running.set(key, {
        key,
        proxyUrl: `http://127.0.0.1:${port}`,
        child,
        pid: child.pid,
        ca: readFileSync(path.join(caDir, 'ca.pem'), 'utf8'),
        logFile,
      });
    }
    const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
    if (only) notes.push(`BENCH_ONLY=${only.join(',')}: a partial run`);
    const cellFilter = process.env.BENCH_CELLS?.split(',').map((s) => s.trim());
    if (cellFilter) notes.push(`BENCH_CELLS=${cellFilter.join(',')}: a partial run`);
    const cellsToRun = CELLS.filter((c) => !cellFilter || cellFilter.some((f) => cellKey(c).includes(f)));
    const configs = CONFIGS.filter((k) => running.has(k) && (!only || only.includes(k)));
    log(`servers up in ${Date.now() - began} ms: ${configs.join(', ')}`);

    const cells: Report['cells'] = {};
    const first: Report['first'] = {};
    const requestsSent: Record<string, number> = {};
    let repsDone = 0;
    for (let rep = 0; rep < REPS; rep++) {
      if (Date.now() - began > BUDGET_MS * 0.8) {
        notes.push(`stopped after ${rep} repetitions to stay within the time budget`);
        break;
      }
      // Rotate the order each repetition so no configuration always runs first or last.
      const order = configs.map((_, i) => configs[(i + rep) % configs.length]!);
      for (const key of order) {
        const r = running.get(key)!;
        const hosts = freshHosts(rep, CONFIGS.indexOf(key));
        const res = await load.call<{ ms: number[]; errors: string[] }>(
          { type: 'first', target: { proxyUrl: r.proxyUrl }, hosts, ca: [r.ca] },
          30_000,
        );
        (first[key] ??= []).push(res.ms);
        if (res.errors.length) notes.push(`${key} first-response errors: ${res.errors.join('; ')}`);
        requestsSent[key] = (requestsSent[key] ?? 0) + 2;
      }
      for (const cell of cellsToRun) {
        for (const key of order.filter((k) => !cell.configs || cell.configs.includes(k))) {
          const r = running.get(key)!;
          const pid = r.pid;
          const cpu0 = pid ? cpuMs(pid) : NaN;
          const msg: Omit<CellRequest, 'id'> = {
            type: 'cell',
            target: { proxyUrl: r.proxyUrl },
            pattern: cell.pattern,
            concurrency: cell.concurrency,
            body: cell.body,
            host: HOST,
            warmupMs: WARMUP_MS,
            durationMs: CELL_MS,
            ca: [r.ca],
            token: cell.storm ? 'expired' : 'fresh',
          };
          const result =
            cell.generator === 'raw-tls'
              ? await raw.cell(msg)
              : await load.call<CellResult>(msg, CELL_MS + WARMUP_MS + 30_000);
          const cpu = pid ? cpuMs(pid) - cpu0 : NaN;
          requestsSent[key] = (requestsSent[key] ?? 0) + result.total + result.errors;
          ((cells[cellKey(cell)] ??= {})[key] ??= []).push({
            ...result,
            cpuMsPerReq: cpu / Math.max(1, result.total),
          });
          if (result.errors)
            notes.push(
              `rep ${rep + 1} ${key} ${cellKey(cell)}: ${result.errors} errors (${result.errorSamples.join(' | ')})`,
            );
        }
        log(
          `rep ${rep + 1}/${REPS} ${cellKey(cell)}: ${Object.entries(cells[cellKey(cell)] ?? {})
            .map(
              ([k, runs]) =>
                `${k} ${Math.round(runs.at(-1)!.rps)} (${runs.at(-1)!.cpuMsPerReq.toFixed(2)} ms cpu)`,
            )
            .join(', ')}`,
        );
      }
      repsDone += 1;
    }

    const peakRss: Record<string, number> = {};
    for (const key of configs) {
      const pid = running.get(key)!.pid;
      if (pid) peakRss[key] = statusMb(pid, 'VmHWM');
    }

    // The inspector cell (after the peak RSS, so the page's history does not count in it).
    let pageCell: Report['pageCell'];
    const proxy = running.get('proxy')!;
    if (configs.includes('proxy') && process.env.BENCH_PAGE !== 'none') {
      const base = { type: 'cell' as const, target: { proxyUrl: proxy.proxyUrl }, host: HOST };
      pageCell = await measurePageCell(
        async (msg) => {
          const pid = proxy.pid!;
          const cpu0 = cpuMs(pid);
          const r = await load.call<CellResult>(msg, CELL_MS + WARMUP_MS + 30_000);
          requestsSent.proxy = (requestsSent.proxy ?? 0) + r.total + r.errors;
          return { ...r, cpuMsPerReq: (cpuMs(pid) - cpu0) / Math.max(1, r.total) };
        },
        { ...base, warmupMs: WARMUP_MS, durationMs: CELL_MS, ca: [proxy.ca] },
        `${proxy.proxyUrl}/`,
        Math.max(1, repsDone),
      );
      log(
        `inspector cell (${pageCell.page}): without ${pageCell.without.map((r) => Math.round(r.rps)).join('/')} req/s, with the page ${pageCell.with.map((r) => Math.round(r.rps)).join('/')} req/s`,
      );
    }

    // Soak: many exchanges through the proxy with analysis and log on, then its memory.
    const soakBudget = Math.max(20_000, Math.min(150_000, BUDGET_MS - (Date.now() - began) - 45_000));
    log(`soak: ${SOAK_COUNT} exchanges through the proxy (bounded to ${Math.round(soakBudget / 1000)} s)`);
    const rssBefore = statusMb(proxy.pid!, 'VmRSS');
    // Memory guard: a proxy that grows without bound must not take the machine down with it.
    let soakPeakSeen = 0;
    let guardTripped = false;
    const guard = setInterval(() => {
      const rss = statusMb(proxy.pid!, 'VmRSS');
      soakPeakSeen = Math.max(soakPeakSeen, rss);
      if (rss > SOAK_RSS_LIMIT_MB && !guardTripped) {
        guardTripped = true;
        load.notify({ type: 'stop' });
      }
    }, 250);
    const soak = await load
      .call<{ done: number; errors: number; elapsedMs: number; errorSamples: string[] }>(
        {
          type: 'soak',
          target: { proxyUrl: proxy.proxyUrl },
          host: HOST,
          count: SOAK_COUNT,
          maxMs: soakBudget,
          concurrency: 16,
          ca: [proxy.ca],
        },
        soakBudget + 60_000,
      )
      .finally(() => clearInterval(guard));
    if (guardTripped) {
      notes.push(
        `the soak was stopped early: the proxy's RSS passed ${SOAK_RSS_LIMIT_MB} MB (BENCH_SOAK_RSS_LIMIT_MB)`,
      );
    } else if (soak.done < SOAK_COUNT) {
      notes.push(
        `the soak reached ${soak.done} of ${SOAK_COUNT} exchanges within its time bound (${Math.round(soakBudget / 1000)} s)`,
      );
    }
    requestsSent.proxy = (requestsSent.proxy ?? 0) + soak.done + soak.errors;
    await new Promise((r) => setTimeout(r, 1500));
    const soakResult: Report['soak'] = {
      target: SOAK_COUNT,
      done: soak.done,
      errors: soak.errors,
      errorSamples: soak.errorSamples,
      seconds: soak.elapsedMs / 1000,
      rssBeforeMb: rssBefore,
      rssAfterMb: statusMb(proxy.pid!, 'VmRSS'),
      rssMaxSampledMb: soakPeakSeen,
      peakMb: statusMb(proxy.pid!, 'VmHWM'),
    };
    await stop(proxy.child);
    const logLines = await countLines(proxy.logFile!);
    const logBytes = statSync(proxy.logFile!).size;

    const report: Report = {
      generatedAt: new Date().toISOString(),
      command: 'npm run bench',
      knobs: { reps: repsDone, cellMs: CELL_MS, warmupMs: WARMUP_MS },
      machine: {
        cpu: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        kernel: `${os.type()} ${os.release()}`,
        node: process.version,
        openssl: process.versions.openssl ?? 'unknown',
        mitmdump: mitmdumpVersion.replace(/^Mitmproxy:\s*/, ''),
        httpMitmProxy: pkgVersion('http-mitm-proxy'),
        undici: pkgVersion('undici'),
        httpsProxyAgent: pkgVersion('https-proxy-agent'),
        commit: `${version('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'])}${
          treeIsClean() ? '' : ' + uncommitted working-tree changes'
        }`,
        proxyBuild: path.relative(ROOT, PROXY_MAIN),
        proxyNodeFlags: PROXY_NODE_FLAGS.join(' '),
        proxyExtraArgs: PROXY_EXTRA_ARGS.join(' '),
      },
      bodies: describeBodies(),
      configs: [...configs],
      cells,
      first,
      peakRss,
      soak: soakResult,
      ...(pageCell ? { pageCell } : {}),
      log: { linesWritten: logLines, bytesWritten: logBytes, requestsSent: requestsSent.proxy ?? 0 },
      notes,
      runtimeSeconds: (Date.now() - began) / 1000,
    };
    const out = writeReport(report, process.env.BENCH_OUT ?? path.join(ROOT, 'docs/performance.md'));
    log(`wrote ${out} in ${Math.round(report.runtimeSeconds)} s`);
    return 0;
  } finally {
    await load.close();
    await raw.close();
    for (const c of children.reverse()) await stop(c);
  }
}

if (process.env.BENCH_STAGE === 'inner') {
  inner().then(
    (code) => process.exit(code),
    (err: Error) => {
      log(`failed: ${err.stack ?? err.message}`);
      process.exit(1);
    },
  );
} else {
  process.exitCode = outer();
}
