/**
 * The inspector page under a high-rate live feed, in a real chromium: the real live inspector
 * (sink, history, feed, route) fed thousands of exchanges in bursts. Behavioural, not timed: the
 * page keeps a bounded number of rows in its DOM while it holds the whole history, and the
 * newest rows still appear.
 */
import http from 'node:http';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { generateLog } from '../../bench/generate-log';
import { liveInspector } from '../../src/inspector/live-inspector';
import { type ExchangeLogLine, parseLogLine } from '../../src/model/log-line';
import { tempDir } from '../helpers/tmp';
import { launchBrowser, type TestBrowser } from './browser';

jest.setTimeout(90_000);

declare const document: any;

const HISTORY = 1000;
const TOTAL = 6000;
/** Drawn rows allowed: a screenful and its margins, never the history. */
const DOM_BOUND = 150;

describe('the inspector page under a high-rate feed', () => {
  const tmp = tempDir('aiproxy-inspector-load-');
  let browser: TestBrowser;
  let server: http.Server;
  let inspector: ReturnType<typeof liveInspector>;
  let lines: ExchangeLogLine[];
  let url: string;

  beforeAll(async () => {
    const logFile = path.join(tmp.dir, 'mix.log');
    await generateLog(logFile, 200);
    lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .flatMap((text) => {
        const parsed = text.trim() ? parseLogLine(text) : undefined;
        return parsed?.kind === 'exchange' ? [parsed.line] : [];
      });
    inspector = liveInspector({
      title: 'load',
      historySize: HISTORY,
      pageDir: path.join(__dirname, '..', '..', 'dist', 'web'),
    });
    server = http.createServer((req, res) => {
      if (!inspector.route.handle((req.url ?? '/').split('?')[0] ?? '/', req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    inspector?.sink.close?.();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    tmp.cleanup();
  });

  const drawnRows = (page: Page) => page.locator('#rows tr.row').count();

  it('keeps its DOM rows bounded and shows the newest rows', async () => {
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.locator('#status.status-live').waitFor();
    let maxDrawn = 0;
    // Bursts of 300 exchanges, one per event-loop turn (as fast as this process can make them).
    for (let sent = 0; sent < TOTAL;) {
      for (let i = 0; i < 300; i++, sent++) inspector.sink.write(lines[sent % lines.length]!);
      await new Promise((r) => setImmediate(r));
      if (sent % 1200 === 0) maxDrawn = Math.max(maxDrawn, await drawnRows(page));
    }
    // The newest exchange (sequence numbers start at 1) is drawn, and the list holds the history.
    await page.locator(`#rows tr.row[data-seq="${TOTAL}"]`).waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      (n) => document.getElementById('count').textContent === `${n} of ${n} shown`,
      HISTORY,
    );
    maxDrawn = Math.max(maxDrawn, await drawnRows(page));
    expect(maxDrawn).toBeGreaterThan(0);
    expect(maxDrawn).toBeLessThanOrEqual(DOM_BOUND);
    // The oldest held row is not drawn, but scrolling to the top draws it (the history is all there).
    const oldest = TOTAL - HISTORY + 1;
    await expect(page.locator(`#rows tr.row[data-seq="${oldest}"]`).count()).resolves.toBe(0);
    await page.locator('.list').evaluate((list: any) => (list.scrollTop = 0));
    await page.locator(`#rows tr.row[data-seq="${oldest}"]`).waitFor({ timeout: 10_000 });
    // Scrolled up, the view stays put while rows keep coming; back at the bottom, it follows again.
    for (let i = 0; i < 50; i++) inspector.sink.write(lines[i]!);
    await page.locator(`#rows tr.row[data-seq="${oldest}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator(`#rows tr.row[data-seq="${oldest + 50}"]`).waitFor({ timeout: 10_000 });
    await expect(page.locator(`#rows tr.row[data-seq="${TOTAL + 50}"]`).count()).resolves.toBe(0);
    await page.locator('.list').evaluate((list: any) => (list.scrollTop = list.scrollHeight));
    await page.locator(`#rows tr.row[data-seq="${TOTAL + 50}"]`).waitFor({ timeout: 10_000 });
    expect(await drawnRows(page)).toBeLessThanOrEqual(DOM_BOUND);
    // A filter under load still narrows what is held, and the view keeps its bound.
    await page.locator('#search').fill('status:401');
    const count = (await page.locator('#count').textContent()) ?? '';
    const shown = Number(/^(\d+) of/.exec(count)?.[1]);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(HISTORY);
    await expect(page.locator('#rows tr.row td.result').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['401']),
    );
    expect(new Set(await page.locator('#rows tr.row td.result').allTextContents())).toEqual(new Set(['401']));
    await page.close();
  });
});
