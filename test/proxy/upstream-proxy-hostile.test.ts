import net from 'node:net';
import { connectTunnel, plainViaProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

/**
 * Issue 14, item 1: the CONNECT answer of an --upstream-proxy is a peer value too. A reason
 * phrase with control bytes reaches our 502 body and the log only escaped, and the proxy keeps
 * serving.
 */

/** A corporate proxy that refuses every CONNECT with a hostile reason phrase. */
async function startRefusingProxy(reason: Buffer) {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', () =>
      socket.end(
        Buffer.concat([Buffer.from('HTTP/1.1 403 '), reason, Buffer.from('\r\nContent-Length: 0\r\n\r\n')]),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

describe('a hostile --upstream-proxy answer', () => {
  let refusing: Awaited<ReturnType<typeof startRefusingProxy>>;
  let proxy: TestProxy;
  beforeAll(async () => {
    refusing = await startRefusingProxy(Buffer.from('Den\x1b[2Jied\x07\x7f', 'latin1'));
    proxy = await startTestProxy({ upstreamProxy: `http://127.0.0.1:${refusing.port}` });
  });
  afterAll(async () => {
    await proxy?.close();
    refusing?.close();
  });

  it('is shown escaped in the 502 body and the log; the proxy keeps serving', async () => {
    const refused = await connectTunnel(proxy.port, 'example.test:443').then(
      () => '',
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/502 Bad Gateway/);
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(proxy.port, '127.0.0.1');
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString('latin1')));
      s.on('close', () => resolve(got));
      s.write('CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n');
    });
    expect(raw).toMatch(/upstream proxy answered CONNECT with 403 Den\\x1b\[2Jied\\x07\\x7f/);
    // eslint-disable-next-line no-control-regex
    expect(raw).not.toMatch(/[\x07\x1b\x7f]/);
    // eslint-disable-next-line no-control-regex
    expect(proxy.raw()).not.toMatch(/[\x07\x1b\x7f]|\\u001b|\\u0007/);
    expect((await plainViaProxy(proxy.port, '/healthz')).status).toBe(200);
  });
});
