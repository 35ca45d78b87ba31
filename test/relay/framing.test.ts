import { rawExchange, tlsThroughProxy } from '../helpers/proxy-client';
import { startProxiedUpstream } from '../helpers/proxied-upstream';
import { sha256 } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * What docs/security.md says is not relayed ("Not every byte is relayed"): a chunked body is
 * re-framed per hop, its chunk extensions and trailers are not passed on; its bytes are.
 */
describe('a chunked upload with chunk extensions and a trailer', () => {
  it('reaches the upstream with the same body bytes, without the extensions and the trailer', async () => {
    const { proxy, upstream, close } = await startProxiedUpstream(HOST);
    let trailers: string[] = ['not called'];
    upstream.handler = (req, res) => {
      trailers = req.rawTrailers;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
    try {
      const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
      const reply = await rawExchange(
        socket,
        `POST /v2.1/track HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
          '1;name=value\r\n[\r\n1\r\n]\r\n0\r\nX-Checksum: abc\r\n\r\n',
      );
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
      expect(upstream.seen[0]!.sha256).toBe(sha256('[]'));
      expect(trailers).toEqual([]);
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.request.body.size).toBe(2);
    } finally {
      await close();
    }
  });
});
