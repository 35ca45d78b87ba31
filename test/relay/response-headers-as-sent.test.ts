import { rawExchange, tlsThroughProxy } from '../helpers/proxy-client';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * The relay wrote the client the upstream's headers from Node's `res.headers`: names lower-cased,
 * a repeated Content-Type or Retry-After cut to its first line, other repeats folded into one
 * line, and a Date header the upstream never sent added by Node.
 */
describe('response headers reach the client as the upstream sent them', () => {
  it('keeps repeated lines and their spelling, adds no Date, drops only per-hop headers', async () => {
    const { proxy, upstream, close } = await startProxiedUpstream(HOST);
    upstream.handler = (req) => {
      req.socket.end(
        'HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\n' +
          'Retry-After: 5\r\nRetry-After: 10\r\nX-MS-Thing: 1\r\nx-ms-thing: 2\r\nSet-Cookie: a=1\r\n' +
          'Set-Cookie: b=2\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nContent-Length: 2\r\n\r\n{}',
      );
    };
    try {
      const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
      const reply = await rawExchange(
        socket,
        `POST /v2.1/track HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n[]`,
      );
      const [head, body] = reply.split('\r\n\r\n');
      const lines = head!.split('\r\n');
      expect(lines[0]).toBe('HTTP/1.1 429 Too Many Requests');
      expect(lines).toEqual(
        expect.arrayContaining([
          'Content-Type: application/json',
          'Content-Type: text/plain',
          'Retry-After: 5',
          'Retry-After: 10',
          'X-MS-Thing: 1',
          'X-MS-Thing: 2',
          'Set-Cookie: a=1',
          'Set-Cookie: b=2',
          'Content-Length: 2',
        ]),
      );
      expect(head).not.toMatch(/^(date|x-hop):/im);
      expect(body).toBe('{}');
      // The log lists the repeated lines too (it kept the first Content-Type only).
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.response.headers['content-type']).toEqual(['application/json', 'text/plain']);
      expect(line.exchange.response.headers['retry-after']).toEqual(['5', '10']);
    } finally {
      await close();
    }
  });
});
