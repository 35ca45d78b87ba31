import { tlsThroughProxy } from '../helpers/proxy-client';
import type { TestProxy } from '../helpers/proxy-harness';
import { type ProxiedUpstream, startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const IDLE_MS = 500;

/**
 * --idle-timeout closes a quiet decrypted connection. While an exchange is under way on it, the
 * quiet is the upstream's: a slow response head is --upstream-timeout's to end, and an answer the
 * upstream stops sending is logged as the upstream's stall (it was logged as the client's abort).
 */
describe('--idle-timeout while an exchange is under way', () => {
  let setup: ProxiedUpstream;
  let proxy: TestProxy;

  beforeAll(async () => {
    setup = await startProxiedUpstream(HOST, { idleTimeout: IDLE_MS, upstreamTimeout: IDLE_MS * 10 });
    proxy = setup.proxy;
    setup.upstream.handler = (req, res) => {
      if (req.url === '/slow-head') {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"slow":true}');
        }, IDLE_MS * 3);
      } else if (req.url === '/stall') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"part":'); // then nothing: the rest never comes
      }
    };
  });
  afterAll(() => setup.close());

  async function get(pathname: string): Promise<{ answer: string; closedAfterMs: number }> {
    const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('error', () => undefined);
    const started = Date.now();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`GET ${pathname} HTTP/1.1\r\nhost: ${HOST}\r\n\r\n`);
    await Promise.race([closed, new Promise((r) => setTimeout(r, IDLE_MS * 20))]);
    socket.destroy();
    return { answer, closedAfterMs: Date.now() - started };
  }

  it('a response head slower than the idle time still reaches the client', async () => {
    const { answer } = await get('/slow-head');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(answer).toContain('{"slow":true}');
    const [line] = await proxy.waitForExchanges(1);
    expect(line.exchange.error).toBeUndefined();
  });

  it('an answer the upstream stops sending is the upstream stall, not the client abort', async () => {
    const { answer, closedAfterMs } = await get('/stall');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(closedAfterMs).toBeLessThan(IDLE_MS * 10);
    const lines = await proxy.waitForExchanges(2);
    expect(lines[1].exchange.error).toMatchObject({ kind: 'UPSTREAM_TIMEOUT', code: 'UPSTREAM_STALLED' });
    expect(lines[1].findings.map((f: { id: string }) => f.id)).toContain('UPSTREAM_TIMEOUT');
  });

  it('a connection quiet between exchanges is still closed after the idle time', async () => {
    const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
    const started = Date.now();
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      setTimeout(resolve, IDLE_MS * 20);
    });
    expect(socket.destroyed || socket.readableEnded).toBe(true);
    expect(Date.now() - started).toBeLessThan(IDLE_MS * 10);
    socket.destroy();
  });
});
