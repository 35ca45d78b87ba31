import { rawExchange, tlsThroughProxy } from '../helpers/proxy-client';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * A CONNECT sent inside a decrypted tunnel (a client chaining proxies) was closed without an
 * answer and without a log line. It is now answered 501 and said in a warning (real TLS).
 */
describe('a CONNECT inside an intercepted tunnel', () => {
  it('is answered 501 and logged; nothing reaches the service', async () => {
    const { proxy, upstream, close } = await startProxiedUpstream(HOST);
    try {
      const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
      const reply = await rawExchange(
        socket,
        'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n',
      );
      expect(reply).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
      expect(reply).toContain('CONNECT inside an intercepted host is not relayed');
      expect(upstream.seen).toHaveLength(0);
      const warning = proxy.lines().find((l) => /refused a CONNECT inside an intercepted host/.test(l.msg));
      expect(warning).toMatchObject({ level: 'warn', target: `${HOST}:443`, client: '127.0.0.1' });
    } finally {
      await close();
    }
  });
});
