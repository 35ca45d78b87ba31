import net from 'node:net';
import { connectAnswer, httpsViaProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

/**
 * An --upstream-proxy that closes the connection without answering CONNECT (a corporate proxy
 * dropping what it does not like) was reported as "cannot reach HOST: socket hang up", kind
 * UPSTREAM_RESET: read as the service resetting. It is now UPSTREAM_PROXY_FAILED and the message
 * names the upstream proxy, for blind tunnels and intercepted requests (real sockets).
 */

describe('an --upstream-proxy that hangs up on CONNECT', () => {
  let hangup: net.Server;
  let hangupPort: number;
  let connects = 0;
  let proxy: TestProxy;
  beforeAll(async () => {
    hangup = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', () => {
        connects += 1;
        socket.destroy();
      });
    });
    await new Promise<void>((r) => hangup.listen(0, '127.0.0.1', r));
    hangupPort = (hangup.address() as net.AddressInfo).port;
    proxy = await startTestProxy({ upstreamProxy: `http://127.0.0.1:${hangupPort}` });
  });
  afterAll(async () => {
    await proxy?.close();
    hangup?.close();
  });

  it('out of scope (blind tunnel): the 502 names the upstream proxy', async () => {
    const raw = await connectAnswer(proxy.port, 'example.test:443');
    expect(raw).toMatch(/^HTTP\/1\.1 502 /);
    expect(raw).toContain(
      `cannot reach example.test:443: upstream proxy 127.0.0.1:${hangupPort}: socket hang up`,
    );
  });

  it('in scope (intercepted): UPSTREAM_PROXY_FAILED, the message naming the upstream proxy', async () => {
    const before = proxy.exchanges().length;
    const seenBefore = connects;
    const res = await httpsViaProxy({
      proxyPort: proxy.port,
      host: 'westeurope-5.in.applicationinsights.azure.com',
      path: '/v2.1/track',
      method: 'POST',
      body: '[]',
      ca: proxy.caPem,
    });
    expect(res.status).toBe(502);
    expect(res.headers['x-appinsights-auth-proxy-error']).toBe('UPSTREAM_PROXY_FAILED');
    expect(connects).toBeGreaterThan(seenBefore);
    const records = await proxy.waitForExchanges(before + 1, 10_000);
    const error = records[before].exchange.error;
    expect(error.kind).toBe('UPSTREAM_PROXY_FAILED');
    expect(error.message).toContain(`upstream proxy 127.0.0.1:${hangupPort}`);
  });
});
