import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { liveInspector } from '../src/inspector/live-inspector';
import { type ExchangeLogLine, parseLogLine } from '../src/model/log-line';
import { generateLog } from './generate-log';

/**
 * What the inspector page costs the browser under a high-rate live feed: the real live inspector
 * (sink, history, feed, route) fed RATE exchanges per second for SECONDS, the page open in Debian's
 * chromium, and the renderer's own CPU time read from CDP `Performance.getMetrics` before and
 * after (TaskDuration and its parts). CPU time, not wall-clock: it holds on a loaded machine.
 *
 *   tsc -p bench/tsconfig.json && node dist/bench-build/bench/page-render-cost.js [rate] [seconds]
 */

const CHROMIUM = '/usr/bin/chromium';
const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'] as const;

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

/** CPU seconds (user + system) of this process's chromium descendants: renderers, and all. */
function chromiumCpu(): { renderer: number; all: number } {
  const tick = 100; // USER_HZ on Linux
  const procs = new Map<number, { ppid: number; cpu: number; renderer: boolean }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      procs.set(Number(name), {
        ppid: Number(fields[1]),
        cpu: (Number(fields[11]) + Number(fields[12])) / tick,
        renderer: cmd.includes('--type=renderer'),
      });
    } catch {
      // gone meanwhile
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = procs.get(pid)?.ppid, n = 0; p !== undefined && n < 64; p = procs.get(p)?.ppid, n++)
      if (p === process.pid) return true;
    return false;
  };
  let renderer = 0;
  let all = 0;
  for (const [pid, info] of procs) {
    if (!ours(pid)) continue;
    all += info.cpu;
    if (info.renderer) renderer += info.cpu;
  }
  return { renderer, all };
}

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 3000);
  const seconds = Number(process.argv[3] ?? 10);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'aiproxy-page-cost-'));
  const logFile = path.join(tmp, 'mix.log');
  await generateLog(logFile, 500);
  const lines: ExchangeLogLine[] = [];
  for (const text of readFileSync(logFile, 'utf8').split('\n')) {
    const parsed = text.trim() ? parseLogLine(text) : undefined;
    if (parsed?.kind === 'exchange') lines.push(parsed.line);
  }
  const inspector = liveInspector({
    title: 'page-render-cost',
    pageDir: path.join(__dirname, '..', '..', 'web'),
  });
  const server = http.createServer((req, res) => {
    if (!inspector.route.handle((req.url ?? '/').split('?')[0] ?? '/', req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'aiproxy-page-cost-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
    viewport: { width: 1500, height: 900 },
  });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('#status.status-live');
    const before = await metrics(cdp);
    const cpuBefore = chromiumCpu();
    // Bounded: RATE/100 exchanges every 10 ms for SECONDS (timers late under load send fewer).
    const perTick = Math.max(1, Math.round(rate / 100));
    let sent = 0;
    let next = 0;
    await new Promise<void>((resolve) => {
      const began = Date.now();
      const timer = setInterval(() => {
        const due = Math.min(rate * seconds, Math.floor(((Date.now() - began) / 1000) * rate));
        for (let i = 0; i < perTick * 4 && sent < due; i++, sent++)
          inspector.sink.write(lines[next++ % lines.length]!);
        if (Date.now() - began >= seconds * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    await new Promise((r) => setTimeout(r, 1000)); // the last batch arrives and renders
    const after = await metrics(cdp);
    const cpuAfter = chromiumCpu();
    const domRows = await page.evaluate('document.querySelectorAll("#rows tr.row").length');
    const countText = await page.evaluate('document.getElementById("count").textContent');
    const result = Object.fromEntries(
      METRICS.map((m) => [m, +((after[m] ?? 0) - (before[m] ?? 0)).toFixed(3)]),
    );
    console.log(
      JSON.stringify({
        rate,
        seconds,
        sent,
        cdp_seconds: result,
        proc_cpu_seconds: {
          renderer: +(cpuAfter.renderer - cpuBefore.renderer).toFixed(2),
          all_chromium: +(cpuAfter.all - cpuBefore.all).toFixed(2),
        },
        domRows,
        countText,
        nodes: after.Nodes,
      }),
    );
  } finally {
    await context.close();
    inspector.sink.close?.();
    server.closeAllConnections();
    server.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main();
