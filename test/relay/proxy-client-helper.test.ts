import net from 'node:net';
import { connectTunnel } from '../helpers/proxy-client';

/**
 * The tests' CONNECT helper must settle when the proxy goes away: a proxy killed with -9 closes
 * the client's socket with a FIN and no error, and a helper that waited only for 'error' left
 * the crash-safety test hanging until jest's timeout (seen twice on a loaded CI machine).
 */
describe('connectTunnel (test helper)', () => {
  it('rejects when the proxy closes the connection before answering CONNECT', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await expect(connectTunnel(port, 'example.test:443')).rejects.toThrow(
        /closed the connection before answering/,
      );
    } finally {
      server.close();
    }
  });
});
