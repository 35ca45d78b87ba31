import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

/**
 * "The page open and receiving" for the inspector bench cell: Debian's chromium showing the page
 * (BENCH_PAGE=browser, the default when /usr/bin/chromium exists), or a client that reads the
 * page's live feed like its EventSource does (BENCH_PAGE=sse). Counts what it received.
 */
export interface PageClient {
  kind: 'browser' | 'sse';
  /** Feed messages and bytes received (sse), or rows the page shows at the end (browser). */
  stats(): Promise<{ messages: number; bytes: number; rows?: number }>;
  close(): Promise<void>;
}

const CHROMIUM = '/usr/bin/chromium';

export async function openPage(url: string): Promise<PageClient> {
  const wanted = process.env.BENCH_PAGE ?? (existsSync(CHROMIUM) ? 'browser' : 'sse');
  return wanted === 'browser' ? openBrowserPage(url) : openFeedReader(url);
}

async function openFeedReader(url: string): Promise<PageClient> {
  let messages = 0;
  let bytes = 0;
  const req = http.get(new URL('api/events', url), (res) => {
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      for (let i = chunk.indexOf('event: '); i !== -1; i = chunk.indexOf('event: ', i + 1)) messages++;
    });
  });
  req.on('error', () => undefined);
  await new Promise<void>((resolve) => req.once('response', () => resolve()));
  return {
    kind: 'sse',
    stats: async () => ({ messages, bytes }),
    close: async () => void req.destroy(),
  };
}

async function openBrowserPage(url: string): Promise<PageClient> {
  // Loaded here only: the bench runs without playwright-core when BENCH_PAGE=sse.
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'aiproxy-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await context.newPage();
  let messages = 0;
  let bytes = 0;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.eventSourceMessageReceived', (e: { data: string }) => {
    messages++;
    bytes += e.data.length;
  });
  await page.goto(url);
  await page.waitForSelector('#status.status-live', { timeout: 30_000 });
  return {
    kind: 'browser',
    async stats() {
      const rows = await page.evaluate('document.querySelectorAll("#rows tr.row").length');
      return { messages, bytes, rows: Number(rows) };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
