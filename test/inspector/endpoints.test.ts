import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { diagnose } from '../../src/diagnosis';
import { logFileSource, serveLogFile } from '../../src/inspector/file-inspector';
import { proxyInspector } from '../../src/inspector/proxy-inspector';
import { SessionFeed } from '../../src/inspector/session-feed';
import { sessionRow } from '../../src/inspector/session-row';
import { writeFileSync } from 'node:fs';
import { runCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { exchange } from '../fixtures/exchanges';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function request(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('the data endpoints on the proxy address', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startTestProxy({ inspector: {} });
  });
  afterAll(() => proxy?.close());

  it('serve the page with a strict CSP, and keep /healthz and /ca.pem', async () => {
    const page = await request(proxy.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).not.toMatch(/<script>|<style>|\son\w+=|https?:\/\//);
    expect((await request(proxy.port, '/healthz')).status).toBe(200);
    expect((await request(proxy.port, '/ca.pem')).text).toContain('BEGIN CERTIFICATE');
  });

  it('refuse a Host that is not this address, a foreign Origin, and cross-site fetches', async () => {
    const port = proxy.port;
    expect((await request(port, '/api/sessions')).status).toBe(200);
    expect((await request(port, '/api/sessions', { host: `localhost:${port}` })).status).toBe(200);
    // Behind a port mapping (docker -p 9999:8888) the browser's port is not ours: still the proxy.
    expect((await request(port, '/api/sessions', { host: '127.0.0.1:9999' })).status).toBe(200);
    expect((await request(port, '/api/sessions', { host: '[::1]:9999' })).status).toBe(200);
    for (const headers of <Record<string, string>[]>[
      { host: `attacker.example:${port}` },
      { host: `127.0.0.1.nip.io:${port}` },
      { host: `localhost.attacker.example:${port}` },
      { host: `user@127.0.0.1:${port}` },
      { origin: 'http://attacker.example' },
      { origin: `http://localhost:${port}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]) {
      const reply = await request(port, '/api/sessions', headers);
      expect([headers, reply.status]).toEqual([headers, 403]);
      expect(reply.text).not.toContain('"rows"');
    }
    // The page itself may be opened from a link elsewhere (a filter in a ticket), its data may not.
    expect(
      (
        await request(port, '/?q=status%3A401', {
          'sec-fetch-site': 'cross-site',
          'sec-fetch-mode': 'navigate',
        })
      ).status,
    ).toBe(200);
    expect(
      (await request(port, '/api/events', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }))
        .status,
    ).toBe(403);
  });

  it('answers HEAD on the feed with its head instead of hanging', async () => {
    const head = request(proxy.port, '/api/events', {}, 'HEAD');
    const late = new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), 3000).unref());
    const reply = await Promise.race([head, late]);
    expect(reply === 'no answer' ? reply : reply.status).toBe(200);
    if (reply !== 'no answer') expect(reply.headers['content-type']).toMatch(/^text\/event-stream/);
  });

  it('reads the session list Export HAR posts (the relay holds request bodies back)', async () => {
    const origin = { origin: `http://127.0.0.1:${proxy.port}`, 'content-type': 'text/plain' };
    const posted = request(proxy.port, '/api/har', origin, 'POST', '1,2,3');
    const late = new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), 3000).unref());
    const reply = await Promise.race([posted, late]);
    expect(reply === 'no answer' ? reply : reply.status).toBe(200);
    if (reply !== 'no answer') expect(JSON.parse(reply.text).log.entries).toEqual([]);
  });

  it('clear takes a POST from the page only', async () => {
    const port = proxy.port;
    expect((await request(port, '/api/clear', {}, 'POST')).status).toBe(403);
    expect((await request(port, '/api/clear', { origin: 'http://attacker.example' }, 'POST')).status).toBe(
      403,
    );
    expect((await request(port, '/api/clear', { origin: `http://127.0.0.1:${port}` }, 'GET')).status).toBe(
      405,
    );
    expect((await request(port, '/api/clear', { origin: `http://127.0.0.1:${port}` }, 'POST')).status).toBe(
      204,
    );
  });
});

describe('with --ui false', () => {
  it('serves no page: / stays the short text help, and the data endpoints do not exist', async () => {
    const proxy = await startTestProxy({ inspector: { ui: false } });
    try {
      const root = await request(proxy.port, '/');
      expect(root.headers['content-type']).toMatch(/^text\/plain/);
      expect(root.text).toContain('a proxy, not a web server');
      expect((await request(proxy.port, '/api/sessions')).status).toBe(404);
      expect(proxy.lines().some((l) => /inspector page off \(--ui false\)/.test(l.msg))).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

describe('with --proxy-auth', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startTestProxy({ inspector: {}, proxyAuth: 'alice:s3cret' });
  });
  afterAll(() => proxy?.close());

  it('the page and its data ask for the same credentials, as HTTP Basic', async () => {
    for (const path of ['/', '/api/sessions', '/inspector/app.js', '/api/events']) {
      const none = await request(proxy.port, path);
      expect([path, none.status]).toEqual([path, 401]);
      expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect((await request(proxy.port, path, { authorization: basic('alice:wrong') })).status).toBe(401);
      // Proxy-Authorization is for the relay; the page is an origin server to the browser.
      expect((await request(proxy.port, path, { 'proxy-authorization': basic('alice:s3cret') })).status).toBe(
        401,
      );
    }
    const ok = await request(proxy.port, '/api/sessions', { authorization: basic('alice:s3cret') });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).mode).toBe('live');
  });

  it('takes the scheme in any case, like the relay (RFC 7235): a client sending "basic" is let in', async () => {
    const token = Buffer.from('alice:s3cret').toString('base64');
    for (const scheme of ['basic', 'BASIC', 'Basic'])
      expect([
        scheme,
        (await request(proxy.port, '/api/sessions', { authorization: `${scheme} ${token}` })).status,
      ]).toEqual([scheme, 200]);
    expect((await request(proxy.port, '/api/sessions', { authorization: `bearer ${token}` })).status).toBe(
      401,
    );
  });
});

describe('the banner', () => {
  function logged(host: string, flags: { ui?: boolean }, proxyAuth?: string) {
    let text = '';
    const logger = pino(
      { base: null },
      new Writable({ write: (c, _e, cb) => ((text += c.toString()), cb()) }),
    );
    const page = proxyInspector(flags, { host, proxyAuth, connectionStrings: [], caCertPath: '/ca.pem' });
    page.announce({ host, port: 8888 }, logger);
    return { page, line: JSON.parse(text) };
  }

  it('prints the URL, or says why the page is off on a shared address', () => {
    const on = logged('127.0.0.1', {});
    expect(on.page.routes).toHaveLength(1);
    expect(on.line.msg).toBe('inspector page: http://127.0.0.1:8888/');
    const off = logged('0.0.0.0', {});
    expect(off.page.routes).toHaveLength(0);
    expect(off.line.level).toBe(40);
    expect(off.line.msg).toMatch(/inspector page off: the proxy listens on 0\.0\.0\.0 without --proxy-auth/);
    expect(logged('0.0.0.0', {}, 'u:p').page.routes).toHaveLength(1);
    expect(logged('0.0.0.0', { ui: true }).page.routes).toHaveLength(1);
    const disabled = logged('127.0.0.1', { ui: false });
    expect(disabled.page.routes).toHaveLength(0);
    expect(disabled.line.msg).toMatch(/--ui false/);
  });

  it('rejects a bad --ui-history, and `start --help` lists the flags', async () => {
    expect(() =>
      proxyInspector({ history: 0 }, { host: '127.0.0.1', connectionStrings: [], caCertPath: '' }),
    ).toThrow(/--ui-history/);
    const bad = runCli(['start', '--port', '0', '--ui-history', '0']);
    await new Promise((r) => bad.child.once('exit', r));
    expect(bad.child.exitCode).toBe(2);
    expect(bad.stderr()).toMatch(/--ui-history "0": expected a whole number from 1/);
    const help = runCli(['start', '--help']);
    await new Promise((r) => help.child.once('exit', r));
    expect(help.stdout()).toMatch(/--ui\b/);
    expect(help.stdout()).toMatch(/--ui-history/);
  });
});

describe('the live feed', () => {
  function rowOf(i: number) {
    const ex = exchange({ id: `ex-${i}` });
    const { analysis, findings } = diagnose(ex, { connectionStrings: [], expectEntra: false });
    return sessionRow(i, {
      msg: '',
      exchange: { ...ex, request: { ...ex.request, path: `/v2.1/track?pad=${'x'.repeat(2000)}` } },
      analysis,
      findings,
    });
  }

  async function feedServer(feed: SessionFeed) {
    const server = http.createServer((req, res) => feed.attach(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, port: (server.address() as AddressInfo).port };
  }

  it('batches rows: many exchanges, a few messages', async () => {
    const feed = new SessionFeed(
      { snapshot: () => ({ rows: [] }), extras: () => undefined },
      { intervalMs: 200, maxPendingBytes: 1 << 20, heartbeatMs: 60_000, maxBatchRows: 1000 },
    );
    const { server, port } = await feedServer(feed);
    let received = '';
    const done = new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.on('data', (c: Buffer) => {
          received += c.toString();
          if ((received.match(/"seq":/g) ?? []).length >= 300) resolve();
        });
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 1; i <= 300; i++) feed.push(rowOf(i));
    await done;
    const batches = received.split('event: rows').length - 1;
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(2);
    feed.close();
    server.close();
  });

  it('serves at most maxClients feeds at once: one more gets 503, and a place freed is taken again', async () => {
    const feed = new SessionFeed(
      { snapshot: () => ({ rows: [] }), extras: () => undefined },
      { intervalMs: 50, maxPendingBytes: 1 << 20, heartbeatMs: 60_000, maxBatchRows: 1000, maxClients: 2 },
    );
    const { server, port } = await feedServer(feed);
    const open = () =>
      new Promise<http.IncomingMessage>((resolve, reject) =>
        http.get({ host: '127.0.0.1', port, path: '/', agent: false }, resolve).on('error', reject),
      );
    const opened: http.IncomingMessage[] = [];
    const openOne = async () => {
      const res = await open();
      opened.push(res);
      return res;
    };
    try {
      const [first, second, third] = [await openOne(), await openOne(), await openOne()];
      expect([first!.statusCode, second!.statusCode, third!.statusCode]).toEqual([200, 200, 503]);
      expect(third!.headers['retry-after']).toBe('5');
      expect(feed.clientCount).toBe(2);
      first!.destroy();
      for (let i = 0; i < 100 && feed.clientCount > 1; i++) await new Promise((r) => setTimeout(r, 10));
      expect((await openOne()).statusCode).toBe(200);
    } finally {
      for (const res of opened) res.destroy();
      feed.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('drops a browser that stops reading instead of buffering for it', async () => {
    const feed = new SessionFeed(
      { snapshot: () => ({ rows: [] }), extras: () => undefined },
      { intervalMs: 5, maxPendingBytes: 256 * 1024, heartbeatMs: 60_000, maxBatchRows: 1000 },
    );
    const { server, port } = await feedServer(feed);
    await new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.pause(); // a stalled tab
        res.socket.pause();
        resolve();
      });
    });
    expect(feed.clientCount).toBe(1);
    // Push until the feed gives up on it (bounded: about 40 MB of rows at most).
    for (let round = 0; round < 400 && feed.dropped === 0; round++) {
      for (let i = 0; i < 50; i++) feed.push(rowOf(round * 50 + i));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(feed.dropped).toBe(1);
    expect(feed.clientCount).toBe(0);
    // Its connection is gone on the server's side: nothing is kept for it.
    const connections = await new Promise<number>((r) => server.getConnections((_e, n) => r(n)));
    expect(connections).toBe(0);
    feed.close();
    server.closeAllConnections();
    server.close();
  });
});

describe('inspect LOGFILE', () => {
  it('refuses a missing file with a usage error', async () => {
    const cli = runCli(['inspect', '/nonexistent/proxy.log', '--port', '0']);
    const code = await new Promise<number | null>((r) => cli.child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(cli.stderr()).toMatch(/no such file/);
  });
});

describe('Export HAR', () => {
  let tmp: ReturnType<typeof tempDir>;
  let source: Awaited<ReturnType<typeof logFileSource>>['source'];
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    tmp = tempDir('aiproxy-har-seq-');
    const file = `${tmp.dir}/three.log`;
    const ex = exchange();
    const { analysis, findings } = diagnose(ex, { connectionStrings: [], expectEntra: false });
    const logged = `${JSON.stringify({ level: 30, msg: 'x', exchange: ex, analysis, findings })}\n`;
    writeFileSync(file, logged.repeat(3));
    source = (await logFileSource(file)).source;
    server = (await serveLogFile(source, '127.0.0.1', 0)).server;
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    source?.feed.close();
    server?.close();
    tmp?.cleanup();
  });

  it('takes each session once, however often the list names it', async () => {
    // 5,000 copies of one 1 MB record in one answer ran the proxy out of memory.
    const reply = await request(port, `/api/har?seq=${Array(1000).fill(1).join(',')}`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text).log.entries).toHaveLength(1);
  });

  it('takes the list posted by the page, as long as --ui-history makes it', async () => {
    // 5,000 session numbers are some 24 KB: beyond what a URL may carry (431).
    const seqs = Array.from({ length: 5000 }, (_, i) => i + 1).join(',');
    expect((await request(port, `/api/har?seq=${seqs}`)).status).toBe(431);
    const origin = { origin: `http://127.0.0.1:${port}`, 'content-type': 'text/plain' };
    const posted = await request(port, '/api/har', origin, 'POST', seqs);
    expect(posted.status).toBe(200);
    expect(JSON.parse(posted.text).log.entries).toHaveLength(3);
    expect((await request(port, '/api/har', {}, 'POST', seqs)).status).toBe(403);
    const elsewhere = { origin: 'http://attacker.example' };
    expect((await request(port, '/api/har', elsewhere, 'POST', seqs)).status).toBe(403);
  });
});
