import { httpsViaProxy } from '../helpers/proxy-client';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * An upstream that sends a complete answer and then junk in the same TLS record: a direct client
 * takes the answer (the junk only spoils the connection). The proxy relays the answer too, logs
 * the exchange as it was, and says in a warning line that the bytes after it were dropped; it used
 * to send the client nothing and log a parse error under "→ 200 OK".
 */
describe('bytes after a complete upstream answer', () => {
  it('the answer reaches the client whole; a warning names the dropped bytes', async () => {
    const { proxy, upstream, close } = await startProxiedUpstream(HOST);
    upstream.handler = (req) => {
      req.socket.end(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}EXTRA-JUNK',
      );
    };
    try {
      const reply = await httpsViaProxy({
        proxyPort: proxy.port,
        host: HOST,
        path: '/v2.1/track',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '[]',
        ca: proxy.caPem,
      });
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe('{}');
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.response.status).toBe(200);
      expect(line.exchange.error).toBeUndefined();
      const warning = proxy.lines().find((l) => /after a complete response/.test(String(l.msg)));
      expect(warning).toMatchObject({ level: 'warn', upstream: `${HOST}:443` });
    } finally {
      await close();
    }
  });
});
