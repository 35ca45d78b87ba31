import type { CellRequest, CellResult } from './load';
import { pageHost } from './page-client';

/**
 * The inspector's bench cell (issue 10): keep-alive, small bodies, 16 lanes through this proxy,
 * without a page and with the page open and receiving its live feed, interleaved per repetition.
 * The browser starts once before the first run and idles on about:blank while no page is open.
 */
export const PAGE_CELL = { pattern: 'ka', body: 'small', concurrency: 16 } as const;

export interface PageCellResult {
  page: 'browser' | 'sse';
  without: CellResult[];
  with: CellResult[];
  /** What the page received per run with it: feed messages (batches), bytes, rows shown. */
  received: { messages: number; bytes: number; rows?: number; seconds: number }[];
}

export async function measurePageCell(
  runCell: (msg: Omit<CellRequest, 'id'>) => Promise<CellResult>,
  cellMsg: Omit<CellRequest, 'id' | 'pattern' | 'body' | 'concurrency'>,
  pageUrl: string,
  reps: number,
): Promise<PageCellResult> {
  const msg = { ...cellMsg, ...PAGE_CELL };
  const result: PageCellResult = { page: 'sse', without: [], with: [], received: [] };
  const host = await pageHost();
  try {
    for (let rep = 0; rep < reps; rep++) {
      result.without.push(await runCell(msg));
      const page = await host.open(pageUrl);
      result.page = page.kind;
      try {
        const began = Date.now();
        result.with.push(await runCell(msg));
        const stats = await page.stats();
        result.received.push({ ...stats, seconds: (Date.now() - began) / 1000 });
      } finally {
        await page.close();
      }
    }
  } finally {
    await host.close();
  }
  return result;
}
