import { rawExchange, tlsThroughProxy } from '../helpers/proxy-client';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * HTTP/1.0 lets a request omit Host. Inside a decrypted tunnel the library answered it
 * "400 Bad request: Host missing..." itself: nothing reached the service and nothing was logged.
 * The CONNECT target names the host, as it does for routing.
 */
describe('an HTTP/1.0 request without Host inside an intercepted tunnel', () => {
  it('is relayed to the CONNECT target and logged', async () => {
    const { proxy, upstream, close } = await startProxiedUpstream(HOST);
    try {
      const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
      const reply = await rawExchange(socket, 'POST /v2.1/track HTTP/1.0\r\nContent-Length: 2\r\n\r\n[]');
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
      expect(upstream.seen).toHaveLength(1);
      expect(upstream.seen[0]!.headers.host).toBe(HOST);
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.request).toMatchObject({ host: HOST, path: '/v2.1/track', httpVersion: '1.0' });
      expect(line.exchange.response.status).toBe(200);
    } finally {
      await close();
    }
  });
});
