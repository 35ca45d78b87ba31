import net from 'node:net';
import { parseConnectTarget } from '../../src/proxy/connect-target';
import { connectAnswer } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

/**
 * A CONNECT target in a numeric IPv4 spelling other than dotted-quad (2130706433, 127.1, 0x7f.1,
 * 0177.0.0.1) was taken as a name: the resolver made it 127.0.0.1, but loop detection did not
 * see the proxy's own address (docs/security.md: "in any spelling"), so such a CONNECT got a
 * tunnel into the proxy itself, logged under the odd spelling. It is now read as the address it
 * is, as absolute-form URLs already were (real sockets).
 */

describe('CONNECT to a numeric IPv4 spelling', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0', '0.0.0.0'],
  ])('%s is the address %s', (host, dotted) => {
    expect(parseConnectTarget(`${host}:443`)).toEqual({ host: dotted, port: 443 });
  });

  it('a spelling that is no address is refused, a name with digits stays a name', () => {
    expect(parseConnectTarget('999.1.1.1:443')).toBeUndefined();
    expect(parseConnectTarget('123abc:443')).toEqual({ host: '123abc', port: 443 });
  });

  let proxy: TestProxy;
  let echo: net.Server;
  beforeAll(async () => {
    proxy = await startTestProxy();
    echo = net.createServer((s) => {
      s.on('error', () => s.destroy());
      s.once('data', (d: Buffer) => s.end(`ECHO:${d.toString()}`));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await proxy?.close();
    echo?.close();
  });

  it.each(['2130706433', '127.1', '0x7f000001'])('%s:<proxy port> is the proxy itself: 508', async (host) => {
    const answer = await connectAnswer(proxy.port, `${host}:${proxy.port}`, 'GET /healthz HTTP/1.1\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 508 Loop Detected/);
  });

  it('another port: tunnelled, logged as 127.0.0.1', async () => {
    const port = (echo.address() as net.AddressInfo).port;
    const answer = await connectAnswer(proxy.port, `127.1:${port}`, 'hello');
    expect(answer).toBe('HTTP/1.1 200 Connection established\r\n\r\nECHO:hello');
    const deadline = Date.now() + 5000;
    let line: any;
    while (!line && Date.now() < deadline) {
      line = proxy.lines().find((l) => l.tunnel);
      if (!line) await new Promise((r) => setTimeout(r, 20));
    }
    expect(line?.tunnel?.target).toBe(`127.0.0.1:${port}`);
  });
});
