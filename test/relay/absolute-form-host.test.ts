import net from 'node:net';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/** Sends one raw request to the proxy's listener; resolves with everything read until close. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    socket.on('close', () => resolve(got));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10_000, () => socket.destroy());
    socket.write(text);
  });
}

/**
 * An absolute-form request (`POST https://host/v2.1/track` in plain HTTP to the proxy, as the
 * Node applicationinsights 2.x client sends) is routed by its URL. Its Host header was forwarded
 * as the client wrote it, so a Host that disagreed reached the service while the log named the
 * URL's host. RFC 9112 §3.2.2: the proxy replaces it with the target's authority (real sockets).
 */
describe('absolute-form requests: the Host the service gets is the request target', () => {
  it.each([
    ['a Host that disagrees', `Host: other.example\r\n`, '1.1'],
    ['two Host lines', `Host: other.example\r\nHost: third.example\r\n`, '1.1'],
  ])('%s', async (_name, hostLine, version) => {
    const { proxy, upstream, close } = await startProxiedUpstream(HOST);
    try {
      const reply = await raw(
        proxy.port,
        `POST https://${HOST}/v2.1/track HTTP/${version}\r\n${hostLine}Content-Length: 2\r\nConnection: close\r\n\r\n[]`,
      );
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
      expect(upstream.seen).toHaveLength(1);
      expect(upstream.seen[0]!.headers.host).toBe(HOST);
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.request.host).toBe(HOST);
    } finally {
      await close();
    }
  });
});
