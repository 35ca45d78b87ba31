import { tlsThroughProxy } from '../helpers/proxy-client';
import type { TestProxy } from '../helpers/proxy-harness';
import { sha256 } from '../helpers/upstream';
import { type ProxiedUpstream, startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const TIMEOUT_MS = 500;

/**
 * --upstream-timeout measures the upstream's silence, not the client's upload: a client that
 * sends its body more slowly than the timeout (a big batch on a slow link) gets the answer, and
 * the upstream gets every byte. An upstream that says nothing once the request is in still
 * gets its 504 at the timeout.
 */
describe('--upstream-timeout and a slow upload', () => {
  let setup: ProxiedUpstream;
  let proxy: TestProxy;

  beforeAll(async () => {
    setup = await startProxiedUpstream(HOST, { upstreamTimeout: TIMEOUT_MS });
    proxy = setup.proxy;
  });
  afterAll(() => setup.close());

  /** POSTs `chunks` × 100 bytes, one every `everyMs`, and returns the raw answer. */
  async function slowPost(chunks: number, everyMs: number): Promise<{ answer: string; body: Buffer }> {
    const body = Buffer.alloc(chunks * 100, 'x');
    const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /v2.1/track HTTP/1.1\r\nhost: ${HOST}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
    );
    for (let i = 0; i < chunks && !socket.destroyed; i++) {
      await new Promise((r) => setTimeout(r, everyMs));
      socket.write(body.subarray(i * 100, (i + 1) * 100));
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
    socket.destroy();
    return { answer, body };
  }

  it('an upload slower than the timeout is relayed whole and answered', async () => {
    // 10 × 150 ms: three times the timeout, never silent for longer than it.
    const { answer, body } = await slowPost(10, 150);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(answer).toContain(sha256(body)); // the upstream echoes the sha256 of what it got
    const [line] = await proxy.waitForExchanges(1);
    expect(line.exchange.error).toBeUndefined();
  });

  it('an upstream silent once the request is in still gets its 504 at the timeout', async () => {
    setup.upstream.handler = () => undefined; // reads the request, never answers
    const started = Date.now();
    const { answer } = await slowPost(3, 100);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 504 Gateway Timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
    const lines = await proxy.waitForExchanges(2);
    expect(lines[1].exchange.error.kind).toBe('UPSTREAM_TIMEOUT');
  });
});
