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
  /** Feed messages and bytes received since open(), and rows the page holds (browser). */
  stats(): Promise<{ messages: number; bytes: number; rows?: number }>;
  /** Leave the page (the browser stays, idle on about:blank, so its start-up is not measured). */
  close(): Promise<void>;
}

/** Where pages are opened: started once for the whole cell. */
export interface PageHost {
  open(url: string): Promise<PageClient>;
  close(): Promise<void>;
}

const CHROMIUM = '/usr/bin/chromium';

export async function pageHost(): Promise<PageHost> {
  const wanted = process.env.BENCH_PAGE ?? (existsSync(CHROMIUM) ? 'browser' : 'sse');
  if (wanted === 'browser') return browserHost();
  return { open: openFeedReader, close: async () => undefined };
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

async function browserHost(): Promise<PageHost> {
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
  return {
    async open(url) {
      messages = 0;
      bytes = 0;
      await page.goto(url);
      await page.waitForSelector('#status.status-live', { timeout: 30_000 });
      return {
        kind: 'browser',
        async stats() {
          // The list draws only the rows in view; what it holds is its "N of M shown" line.
          const count = await page.evaluate('document.getElementById("count").textContent');
          const rows = Number(/ of (\d+) shown$/.exec(String(count))?.[1] ?? 0);
          return { messages, bytes, rows };
        },
        close: async () => void (await page.goto('about:blank')),
      };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
