import net from 'node:net';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

/** Sends raw bytes to the proxy and reads its answer until it closes (bounded by a timer). */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 10 s; got: ${answer}`));
    }, 10_000);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.on('error', reject);
  });
}

describe('a CONNECT target holding credentials', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startTestProxy();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('is refused and logged without its password', async () => {
    const answer = await rawExchange(
      proxy.port,
      'CONNECT corp-user:pr0xy-pa55word@127.0.0.1:49199 HTTP/1.1\r\nHost: 127.0.0.1:49199\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const log = proxy.raw();
    expect(log).toContain('refused CONNECT to an invalid target');
    expect(log).toContain('[credentials]@127.0.0.1:49199');
    expect(log).not.toContain('pr0xy-pa55word');
  });
});
