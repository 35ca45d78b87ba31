/**
 * The inspector page in a real browser (Debian's chromium through playwright-core), fed by the
 * running proxy: live rows, the pane, filters in the URL, script payloads shown as text, the data
 * endpoints' refusals, the HAR export, `inspect LOGFILE`, and the 1,000-row page's timings.
 * INSPECTOR_SCREENSHOTS=docs/images keeps the screenshots for docs/inspector.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { generateLog } from '../../bench/generate-log';
import { logFileSource, serveLogFile } from '../../src/inspector/file-inspector';
import { exchange } from '../fixtures/exchanges';
import { runCli, type CliProcess } from '../helpers/cli-process';
import { httpsViaProxy } from '../helpers/proxy-client';
import { makeJwt, startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { harSchemaErrors } from '../sinks/har-schema';
import { launchBrowser, type TestBrowser } from './browser';

jest.setTimeout(90_000);

// Functions passed to page.evaluate run in the page; the test's own types have no DOM.
declare const document: any;
declare const window: any;

const INGEST = 'westus-0.in.applicationinsights.azure.com';
const IKEY = '11111111-2222-3333-4444-555555555555';
const TENANT = '72f988bf-0000-0000-0000-000000000000';
const now = () => Math.floor(Date.now() / 1000);
const SCRIPT_HEADER = '<img src=x onerror="window.__pwned=1">';
const SCRIPT_BODY = '<script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">';

function envelope(name: string, baseType: string, extra: Record<string, unknown> = {}) {
  return {
    ver: 1,
    name: `Microsoft.ApplicationInsights.${name}`,
    time: new Date().toISOString(),
    iKey: IKEY,
    tags: { 'ai.internal.sdkVersion': 'java:3.5.0', 'ai.cloud.role': 'checkout' },
    data: { baseType, baseData: { ver: 2, name: `GET /orders`, ...extra } },
  };
}

function answer(status: number, reason: string, body: unknown) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, reason, { 'content-type': 'application/json; charset=utf-8' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

const shots = process.env.INSPECTOR_SCREENSHOTS;

describe('the inspector page in chromium', () => {
  const tmp = tempDir('aiproxy-inspector-');
  let upstream: TestUpstream;
  let proxy: TestProxy;
  let browser: TestBrowser;
  let page: Page;
  let pageUrl: string;

  async function send(options: {
    path?: string;
    auth?: string;
    headers?: Record<string, string>;
    body: string;
  }) {
    const before = proxy.exchanges().length;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.auth) headers.authorization = options.auth;
    await httpsViaProxy({
      proxyPort: proxy.port,
      host: INGEST,
      path: options.path ?? '/v2.1/track',
      method: 'POST',
      headers,
      body: options.body,
      ca: proxy.caPem,
    });
    return before;
  }

  const visibleRows = () => page.locator('#rows tr.row:not([hidden])');
  /** The list draws only the rows in view: what it holds and shows is its "N of M shown" line. */
  const listCount = async (p: Page) => {
    const [shown, held] = /^(\d+) of (\d+) shown$/
      .exec((await p.locator('#count').textContent()) ?? '')!
      .slice(1)
      .map(Number);
    return { shown: shown!, held: held! };
  };
  const waitHeld = (p: Page, n: number) =>
    p.waitForFunction(
      (n) => new RegExp(` of ${n} shown$`).test(document.getElementById('count').textContent),
      n,
    );

  beforeAll(async () => {
    upstream = await startUpstream([INGEST]);
    const caFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(caFile, upstream.caPem);
    proxy = await startTestProxy({
      resolve: [`${INGEST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [caFile],
      connectionString: [`InstrumentationKey=${IKEY};IngestionEndpoint=https://${INGEST}/`],
      inspector: { history: 1000 },
    });
    pageUrl = `http://127.0.0.1:${proxy.port}/`;
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('prints the page URL in the banner', () => {
    const banner = proxy.lines().find((l) => typeof l.inspector === 'string');
    expect(banner.inspector).toBe(pageUrl);
  });

  it('shows a 401 through the running proxy as a row within 1 s, and opens it: claims, envelopes with the failed items, the fix', async () => {
    await page.goto(pageUrl);
    await page.locator('#status.status-live').waitFor({ timeout: 10_000 });
    upstream.handler = answer(401, 'Unauthorized', {
      itemsReceived: 2,
      itemsAccepted: 0,
      errors: [
        { index: 0, statusCode: 401, message: 'The provided credentials are expired' },
        { index: 1, statusCode: 401, message: 'The provided credentials are expired' },
      ],
    });
    const expired = makeJwt({
      aud: 'https://monitor.azure.com',
      iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT,
      oid: 'aaaaaaaa-0000-0000-0000-000000000001',
      appid: 'bbbbbbbb-0000-0000-0000-000000000002',
      iat: now() - 3 * 3600,
      nbf: now() - 3 * 3600,
      exp: now() - 2 * 3600,
    });
    const body = JSON.stringify([envelope('Request', 'RequestData'), envelope('Exception', 'ExceptionData')]);
    await send({ auth: `Bearer ${expired}`, body });
    // From the client's answer to the row with its badge: within a second (the feed batches every 250 ms).
    const sent = Date.now();
    const row = page.locator('#rows tr.row', { has: page.locator('.badge', { hasText: 'TOKEN_EXPIRED' }) });
    await row.waitFor({ timeout: 1000 });
    console.log(`inspector: the 401 row appeared ${Date.now() - sent} ms after the client's answer`);
    await expect(row.locator('td.result').textContent()).resolves.toBe('401');
    await expect(row.locator('td.auth').textContent()).resolves.toMatch(
      /^Bearer · https:\/\/monitor\.azure\.com · expired 2 h ago$/,
    );
    await expect(row.locator('td.items').textContent()).resolves.toBe('2 / 0');
    await expect(row.locator('.ver').textContent()).resolves.toBe('v2.1');
    await expect(row.locator('td.runtime').textContent()).resolves.toBe('java-agent');

    await row.click();
    const claims = page.locator('#pane table.claims-table');
    await claims.waitFor();
    const claimText = (await claims.locator('tbody tr').allTextContents()).join('\n');
    expect(claimText).toContain('audhttps://monitor.azure.com✓ expected https://monitor.azure.com');
    expect(claimText).toContain(`tid${TENANT}`);
    expect(claimText).toMatch(/exp\d{4}-\d\d-\d\dT[\d:.]+Z2 h ago/);
    const failed = page.locator('#pane table.envelopes-table tbody tr.failed');
    await expect(failed.count()).resolves.toBe(2);
    await expect(failed.first().textContent()).resolves.toContain(
      '401: The provided credentials are expired',
    );
    await expect(failed.first().textContent()).resolves.toContain('11111111-****-****-****-********5555');
    const finding = page.locator('#pane .finding[data-finding="TOKEN_EXPIRED"]');
    // The detected runtime's fix comes first, the others are folded.
    const firstFix = finding.locator('.fix').first();
    await expect(firstFix.locator('h4').textContent()).resolves.toBe('Fix for java');
    await expect(firstFix.locator('li').count()).resolves.toBeGreaterThan(0);
    await expect(finding.locator('details.other-runtimes summary').textContent()).resolves.toMatch(/node/);
    await expect(finding.locator('ul.learn a').first().getAttribute('href')).resolves.toMatch(
      /^https:\/\/learn\.microsoft\.com\//,
    );
    // Copy as curl: the token is a $TOKEN placeholder.
    const curl = await page.locator('#pane pre.curl-text').textContent();
    expect(curl).toContain('"Authorization: Bearer $TOKEN"');
    expect(curl).toContain("'https://westus-0.in.applicationinsights.azure.com/v2.1/track'");
    // The token itself never reaches the page.
    const html = await page.content();
    expect(html).not.toContain(expired);
    expect(html).not.toContain(expired.split('.')[2]!);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page
        .locator('#pane [data-section="claims"]')
        .screenshot({ path: path.join(shots, 'inspector-claims.png') });
      await page
        .locator('#pane [data-section="envelopes"]')
        .screenshot({ path: path.join(shots, 'inspector-envelopes.png') });
    }
  });

  it('filters narrow the list, and a reload through the URL shows the same view', async () => {
    const token = makeJwt({
      aud: 'https://monitor.azure.com',
      tid: TENANT,
      exp: now() + 720,
      iat: now() - 60,
    });
    upstream.handler = answer(200, 'OK', { itemsReceived: 1, itemsAccepted: 1, errors: [] });
    await send({ auth: `Bearer ${token}`, body: JSON.stringify([envelope('Request', 'RequestData')]) });
    await send({ auth: `Bearer ${token}`, body: JSON.stringify([envelope('Request', 'RequestData')]) });
    await send({ path: '/v2/track', body: JSON.stringify([envelope('Request', 'RequestData')]) });
    await proxy.waitForExchanges(4);
    await page.waitForFunction(() => document.querySelectorAll('#rows tr.row').length === 4);
    await page.locator('#search').fill('status:2xx');
    await expect(visibleRows().count()).resolves.toBe(3);
    await page.locator('#search').fill('status:2xx path:v2.1');
    await expect(visibleRows().count()).resolves.toBe(2);
    await expect(visibleRows().first().locator('td.auth').textContent()).resolves.toMatch(
      /expires in 1[12] min/,
    );
    await page.locator('#search').fill('');
    await page.locator('#failures').check();
    // The 401, and the v2 request without a token (a warning: it cannot carry Entra auth).
    await expect(visibleRows().locator('td.result').allTextContents()).resolves.toEqual(['401', '200']);
    expect(page.url()).toContain('failures=1');
    await page.locator('#search').fill('finding:token_expired');
    await expect(visibleRows().count()).resolves.toBe(1);
    const url = page.url();
    expect(url).toContain('q=finding%3Atoken_expired');
    await page.reload();
    await page.locator('#status.status-live').waitFor();
    await waitHeld(page, 4);
    await expect(visibleRows().count()).resolves.toBe(1);
    await expect(page.locator('#search').inputValue()).resolves.toBe('finding:token_expired');
    await expect(page.locator('#failures').isChecked()).resolves.toBe(true);
    // The open session is part of the link too.
    await page.locator('#pane .finding[data-finding="TOKEN_EXPIRED"]').waitFor();
    await page.goto(pageUrl);
    await page.locator('#status.status-live').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#rows tr.row:not([hidden])').length === 4);
    if (shots) {
      await page.locator('#rows tr.row').first().click();
      await page.locator('#pane .finding').first().waitFor();
      await page.setViewportSize({ width: 1920, height: 1000 });
      await page.screenshot({ path: path.join(shots, 'inspector-401.png') });
      await page.setViewportSize({ width: 1500, height: 900 });
    }
  });

  it('shows a header and a body carrying script payloads as text, and runs nothing', async () => {
    upstream.handler = answer(
      400,
      'Bad Request',
      `{"itemsReceived":1,"itemsAccepted":0,"errors":[{"index":0,"statusCode":400,"message":"${SCRIPT_BODY.replace(/"/g, '\\"')}"}]}`,
    );
    const body = JSON.stringify([envelope('Request', 'RequestData', { name: SCRIPT_BODY })]);
    await send({ headers: { 'x-note': SCRIPT_HEADER }, body });
    const row = page.locator('#rows tr.row').last();
    await row.waitFor();
    await waitHeld(page, 5);
    await page.locator('#rows tr.row').last().click();
    await page.locator('#pane [data-section="request-headers"]').waitFor();
    const check = await page.evaluate(() => ({
      pwned: (window as any).__pwned,
      injected: document.querySelectorAll('#pane img, #pane script, #rows img, #rows script, #verdict img')
        .length,
      paneText: document.getElementById('pane')!.textContent,
    }));
    expect(check.pwned).toBeUndefined();
    expect(check.injected).toBe(0);
    expect(check.paneText).toContain(SCRIPT_HEADER);
    expect(check.paneText).toContain('<script>window.__pwned=2</script>');
    await expect(
      page.locator('#pane table.envelopes-table tbody tr.failed').textContent(),
    ).resolves.toContain('<script>');
  });

  it('refuses the data endpoints to a page on another name (DNS rebinding) and to another origin', async () => {
    const other = await browser.context.newPage();
    const response = await other.goto(`http://rebind.test:${proxy.port}/`);
    expect(response?.status()).toBe(403);
    const fromRebound = await other.evaluate(async () => {
      const r = await fetch('/api/sessions');
      return { status: r.status, text: await r.text() };
    });
    expect(fromRebound.status).toBe(403);
    expect(fromRebound.text).not.toContain('westus');
    // A page of another origin asking the real address reads nothing (the browser may not even send it).
    await other.route('http://evil.test/', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>evil</title>' }),
    );
    await other.goto('http://evil.test/');
    const crossOrigin = await other.evaluate(async (url) => {
      try {
        const r = await fetch(url);
        return `read ${r.status}: ${await r.text()}`;
      } catch (err) {
        return `failed: ${String(err)}`;
      }
    }, `${pageUrl}api/sessions`);
    expect(crossOrigin).toMatch(/^failed/);
    // When it is sent (by any client), the foreign Origin is refused by the server itself.
    for (const headers of [
      { origin: 'http://evil.test' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const status = await new Promise<number>((resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port: proxy.port, path: '/api/sessions', headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject),
      );
      expect([headers, status]).toEqual([headers, 403]);
    }
    await other.close();
  });

  it('exports the filtered sessions as HAR 1.2', async () => {
    await page.goto(`${pageUrl}?failures=1`);
    await page.locator('#status.status-live').waitFor();
    await waitHeld(page, 5);
    const shown = await visibleRows().locator('td.result').allTextContents();
    expect(shown).toEqual(expect.arrayContaining(['401', '400']));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
    const file = path.join(tmp.dir, 'export.har');
    await download.saveAs(file);
    const har = JSON.parse(readFileSync(file, 'utf8'));
    expect(harSchemaErrors(har)).toEqual([]);
    expect(har.log.entries.map((e: any) => String(e.response.status))).toEqual(shown);
    expect(
      har.log.entries.find((e: any) => e.response.status === 401 && e._findings.length)._findings[0].id,
    ).toBeDefined();
    expect(JSON.stringify(har)).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  });

  it('inspect LOGFILE shows the same rows as the live page for the same traffic', async () => {
    const logFile = path.join(tmp.dir, 'proxy.log');
    writeFileSync(logFile, proxy.raw());
    const cells = async (p: Page) =>
      p.locator('#rows tr.row').evaluateAll((trs) =>
        trs.map((tr) =>
          [...tr.querySelectorAll('td')]
            .filter((td) => !td.classList.contains('auth'))
            .map((td) => td.textContent)
            .join('|'),
        ),
      );
    await page.goto(pageUrl);
    await page.locator('#status.status-live').waitFor();
    const live = await cells(page);
    let cli: CliProcess | undefined;
    try {
      cli = runCli(['inspect', logFile, '--port', '0', '--open', 'false']);
      const until = Date.now() + 15_000;
      while (!/open (http:\/\/\S+)/.test(cli.stdout()) && Date.now() < until && cli.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      const url = /open (http:\/\/\S+)/.exec(cli.stdout())?.[1];
      expect(url).toBeDefined();
      const saved = await browser.context.newPage();
      await saved.goto(url!);
      await saved.locator('#status.status-live').waitFor();
      await expect(saved.locator('#source').textContent()).resolves.toContain('read-only');
      await expect(saved.locator('#clear').isDisabled()).resolves.toBe(true);
      expect(await cells(saved)).toEqual(live);
      expect(live.length).toBe(5);
      await expect(saved.locator('#verdict .verdict-text').textContent()).resolves.toBe(
        await page.locator('#verdict .verdict-text').textContent(),
      );
      await saved.close();
    } finally {
      await cli?.stop();
    }
  });

  it('clear empties the live list and the verdict; new traffic shows again', async () => {
    await page.locator('#clear').click();
    await expect(
      page.waitForFunction(() => document.querySelectorAll('#rows tr.row').length === 0),
    ).resolves.toBeTruthy();
    await expect(page.locator('#verdict .verdict-text').textContent()).resolves.toMatch(/^no telemetry seen/);
    upstream.handler = answer(200, 'OK', { itemsReceived: 1, itemsAccepted: 1, errors: [] });
    await send({ path: '/v2/track', body: JSON.stringify([envelope('Request', 'RequestData')]) });
    await page.waitForFunction(() => document.querySelectorAll('#rows tr.row').length === 1);
    // Paused: the feed is closed, nothing arrives; resuming brings what came meanwhile.
    await page.locator('#pause').click();
    await page.locator('#status.status-paused').waitFor();
    const before = proxy.exchanges().length;
    await send({ path: '/v2/track', body: JSON.stringify([envelope('Request', 'RequestData')]) });
    await proxy.waitForExchanges(before + 1);
    await new Promise((r) => setTimeout(r, 600)); // two feed batches' time: nothing may arrive
    await expect(page.locator('#rows tr.row').count()).resolves.toBe(1);
    await page.locator('#pause').click();
    await page.waitForFunction(() => document.querySelectorAll('#rows tr.row').length === 2);
  });

  it('renders and filters 1,000 rows (timings reported, not asserted)', async () => {
    const logFile = path.join(tmp.dir, 'thousand.log');
    const expected = await generateLog(logFile, 1300);
    const { source } = await logFileSource(logFile, 1000);
    const served = await serveLogFile(source, '127.0.0.1', 0);
    try {
      const big = await browser.context.newPage();
      await big.goto(served.url);
      await waitHeld(big, 1000);
      await expect(listCount(big)).resolves.toEqual({ shown: 1000, held: 1000 });
      // Only the rows in view are drawn: far fewer than the thousand held, the newest among them.
      const drawn = await big.locator('#rows tr.row').count();
      expect(drawn).toBeGreaterThan(0);
      expect(drawn).toBeLessThan(200);
      const first = await big.evaluate(() => (window as any).inspectorTimings.firstRenderMs as number);
      await big.locator('#search').fill('status:401');
      const shown401 = (await listCount(big)).shown;
      const filter = await big.evaluate(() => (window as any).inspectorTimings.lastFilterMs as number);
      await big.locator('#search').fill('');
      await big.locator('#failures').check();
      const filterFailures = await big.evaluate(
        () => (window as any).inspectorTimings.lastFilterMs as number,
      );
      expect(shown401).toBeGreaterThan(0);
      expect(shown401).toBeLessThan(1000);
      expect(expected.exchanges).toBeGreaterThan(1000);
      const report = `inspector 1,000 rows: first render ${first.toFixed(1)} ms, filter "status:401" ${filter.toFixed(1)} ms (${shown401} rows), filter "failures only" ${filterFailures.toFixed(1)} ms`;
      console.log(report);
      // A dropped feed (here: every connection cut) reconnects by itself and starts from a snapshot.
      served.server.closeAllConnections();
      await big.locator('#status.status-down').waitFor({ timeout: 10_000 });
      await big.locator('#status.status-live').waitFor({ timeout: 10_000 });
      await waitHeld(big, 1000);
      if (shots) writeFileSync(path.join(shots, 'inspector-timings.txt'), `${report}\n`);
      await big.close();
    } finally {
      source.feed.close();
      served.server.closeAllConnections();
      await new Promise((r) => served.server.close(r));
    }
  });

  it('says a record it cannot render cannot be shown, not that it is gone', async () => {
    // A hand-edited line the list holds but the pane cannot build (a body that is not text).
    const logFile = path.join(tmp.dir, 'odd.log');
    const odd = { level: 30, msg: 'x', exchange: exchange(), analysis: { kind: 'track-v2.1' }, findings: [] };
    Object.assign(odd.exchange.request.body, { text: { not: 'text' } });
    await withSavedLog(logFile, odd, async (url) => {
      const saved = await browser.context.newPage();
      await saved.goto(`${url}?open=1`);
      await saved.waitForFunction(() => /^Session 1 /.test(document.getElementById('pane').textContent));
      const said = await saved.locator('#pane').textContent();
      expect(said).toMatch(/^Session 1 cannot be shown \(500\): appinsights-auth-proxy inspector: /);
      await saved.close();
    });
  });

  it('draws a saved record that holds JSON where text belongs', async () => {
    const logFile = path.join(tmp.dir, 'odd-values.log');
    const odd = {
      level: 50,
      msg: 'x',
      exchange: exchange(),
      analysis: { kind: 'other' },
      findings: [
        { id: 'X', severity: 'error', title: { a: 1 }, guidance: { why: 'w', fix: ['f'], learnMore: [] } },
      ],
    };
    Object.assign(odd.exchange.request.body, { text: { not: 'text' } });
    await withSavedLog(logFile, odd, async (url) => {
      const saved = await browser.context.newPage();
      const errors: string[] = [];
      saved.on('pageerror', (e) => errors.push(e.message));
      await saved.goto(`${url}?open=1`);
      await saved.locator('#pane .bodies').waitFor();
      await expect(saved.locator('#pane .finding-head').textContent()).resolves.toContain('{"a":1}');
      await expect(saved.locator('#pane .body-text').first().textContent()).resolves.toBe('{"not":"text"}');
      expect(errors).toEqual([]);
      await saved.close();
    });
  });

  /** `inspect` over a log of one record, served while `use` runs. */
  async function withSavedLog(logFile: string, record: object, use: (url: string) => Promise<void>) {
    writeFileSync(logFile, `${JSON.stringify(record)}\n`);
    const { source } = await logFileSource(logFile, 1000);
    const served = await serveLogFile(source, '127.0.0.1', 0);
    try {
      await use(served.url);
    } finally {
      source.feed.close();
      served.server.closeAllConnections();
      await new Promise((r) => served.server.close(r));
    }
  }
});
