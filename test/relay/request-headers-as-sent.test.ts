import { harFrom } from '../../src/sinks/har';
import { rawExchange, tlsThroughProxy } from '../helpers/proxy-client';
import { makeJwt } from '../helpers/proxy-harness';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * The relay built the upstream request from Node's `req.headers`: names lower-cased and, for
 * Authorization, Content-Type, User-Agent and the other single-value headers, every repeat after
 * the first dropped. A request with two Authorization headers reached the service with one.
 */
describe('request headers reach the upstream as the client sent them', () => {
  it('keeps repeated headers (two Authorization lines), their spelling and latin1 values', async () => {
    const { proxy, upstream, close } = await startProxiedUpstream(HOST);
    let received: string[] = [];
    upstream.handler = (req, res) => {
      received = req.rawHeaders;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
    try {
      const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
      const reply = await rawExchange(
        socket,
        `POST /v2.1/track HTTP/1.1\r\nHost: ${HOST}\r\n` +
          'Authorization: Bearer first.token.value\r\nAuthorization: Bearer second.token.value\r\n' +
          'X-Repeated: a\r\nX-Repeated: b\r\nMiXeD-CaSe: 1\r\nX-Latin: caf\xe9\r\n' +
          'Proxy-Authorization: Basic dTpw\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n' +
          'Content-Length: 2\r\n\r\n[]',
      );
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
      const pairs = [];
      for (let i = 0; i < received.length; i += 2) pairs.push(`${received[i]}: ${received[i + 1]}`);
      expect(pairs).toEqual(
        expect.arrayContaining([
          'Authorization: Bearer first.token.value',
          'Authorization: Bearer second.token.value',
          'X-Repeated: a',
          'X-Repeated: b',
          'MiXeD-CaSe: 1',
          'X-Latin: caf\xe9',
          'Content-Length: 2',
        ]),
      );
      // Still per hop: the proxy's credentials and what Connection names are not forwarded.
      expect(pairs.join('\n')).not.toMatch(/proxy-authorization|x-hop/i);
    } finally {
      await close();
    }
  });

  it('the log and the HAR list both Authorization lines, redacted; the first is the one summarised', async () => {
    const { proxy, close } = await startProxiedUpstream(HOST);
    const first = makeJwt({ aud: 'https://monitor.azure.com', oid: 'first-oid' });
    const second = makeJwt({ aud: 'https://monitor.azure.com', oid: 'second-oid' });
    try {
      const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
      await rawExchange(
        socket,
        `POST /v2.1/track HTTP/1.1\r\nHost: ${HOST}\r\nAuthorization: Bearer ${first}\r\n` +
          `Authorization: Bearer ${second}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n[]`,
      );
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.request.headers.authorization).toEqual(['[redacted]', '[redacted]']);
      expect(line.exchange.request.authorization.jwt.claims.oid).toBe('first-oid');
      const har = harFrom([line]);
      const authorization = har.log.entries[0]!.request.headers.filter((h) => h.name === 'authorization');
      expect(authorization).toEqual([
        { name: 'authorization', value: '[redacted]' },
        { name: 'authorization', value: '[redacted]' },
      ]);
      expect(proxy.raw()).not.toContain(first.split('.')[2]);
    } finally {
      await close();
    }
  });
});
