import net from 'node:net';
import { connectAnswer } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

/**
 * An --upstream-proxy that answers CONNECT with 407 gave only "answered CONNECT with 407": the
 * 502 and the log now say whether the credentials in --upstream-proxy were refused or missing,
 * never showing them (a corporate proxy on real sockets, a blind tunnel through it).
 */
describe('an --upstream-proxy that answers 407', () => {
  let corp: net.Server;
  let corpPort: number;
  const proxies: TestProxy[] = [];
  beforeAll(async () => {
    corp = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', () =>
        socket.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n',
        ),
      );
    });
    await new Promise<void>((r) => corp.listen(0, '127.0.0.1', r));
    corpPort = (corp.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    corp?.close();
  });

  async function connectThrough(upstreamProxy: string): Promise<{ answer: string; proxy: TestProxy }> {
    const proxy = await startTestProxy({ upstreamProxy });
    proxies.push(proxy);
    const answer = await connectAnswer(proxy.port, 'example.test:443');
    return { answer, proxy };
  }

  it('without credentials: the 502 says --upstream-proxy has none', async () => {
    const { answer } = await connectThrough(`http://127.0.0.1:${corpPort}`);
    expect(answer).toMatch(/^HTTP\/1\.1 502 /);
    expect(answer).toContain('answered CONNECT with 407');
    expect(answer).toContain('it wants credentials, and --upstream-proxy has none');
  });

  it('with credentials: the 502 and the log say they were refused, and never show them', async () => {
    const { answer, proxy } = await connectThrough(`http://alice:Sup3rSecret@127.0.0.1:${corpPort}`);
    expect(answer).toMatch(/^HTTP\/1\.1 502 /);
    expect(answer).toContain('it refused the user and password in --upstream-proxy');
    expect(answer).not.toContain('Sup3rSecret');
    expect(proxy.raw()).not.toContain('Sup3rSecret');
  });
});
