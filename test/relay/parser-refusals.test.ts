import { tlsThroughProxy } from '../helpers/proxy-client';
import type { TestProxy } from '../helpers/proxy-harness';
import { type ProxiedUpstream, startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const HEAD = `POST /v2.1/track HTTP/1.1\r\nhost: ${HOST}\r\n`;

/**
 * Requests Node's HTTP parser refuses inside an intercepted tunnel are answered as Node would
 * (400, or 431 for oversized headers) and each is said in a warning line with the parser's code;
 * before, the app got a 400 it could not tell from the service's and the log said nothing.
 */
describe('requests the parser refuses inside an intercepted host', () => {
  let setup: ProxiedUpstream;
  let proxy: TestProxy;
  let upstreamRequests = 0;

  beforeAll(async () => {
    setup = await startProxiedUpstream(HOST);
    proxy = setup.proxy;
    setup.upstream.handler = (_req, res) => {
      upstreamRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
  });
  afterAll(() => setup.close());

  /** Writes raw bytes in a new tunnel; the first line of the answer ('' when closed without one). */
  async function send(raw: string, then?: 'close'): Promise<string> {
    const socket = await tlsThroughProxy(proxy.port, HOST, proxy.caPem);
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(raw);
    if (then === 'close') setTimeout(() => socket.destroy(), 100);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    socket.destroy();
    return answer.split('\r\n')[0] ?? '';
  }

  const refusals = () => proxy.lines().filter((l) => /could not parse/.test(String(l.msg)));

  it.each([
    [
      'two Content-Lengths',
      '400',
      /^HPE_UNEXPECTED_CONTENT_LENGTH$/,
      `${HEAD}content-length: 2\r\ncontent-length: 3\r\n\r\nok`,
    ],
    [
      'Transfer-Encoding and Content-Length',
      '400',
      /^HPE_INVALID_(TRANSFER_ENCODING|CONTENT_LENGTH)$/, // Node's code for it differs between versions
      `${HEAD}transfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n0\r\n\r\n`,
    ],
    ['headers over 16 KB', '431', /^HPE_HEADER_OVERFLOW$/, `${HEAD}cookie: ${'c'.repeat(20_000)}\r\n\r\n`],
  ])(
    '%s: answered %s, one warning line with the parser code, nothing sent upstream',
    async (_name, status, code, raw) => {
      const before = refusals().length;
      const sent = upstreamRequests;
      expect(await send(raw)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      const until = Date.now() + 5000;
      while (refusals().length === before && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      const line = refusals().at(-1);
      expect(line).toMatchObject({
        level: 'warn',
        error: expect.stringMatching(code),
        target: `${HOST}:443`,
      });
      expect(refusals()).toHaveLength(before + 1);
      expect(upstreamRequests).toBe(sent);
    },
  );

  it('a client that hangs up mid-body is not called a refusal, and the proxy still relays', async () => {
    const before = refusals().length;
    await send(`${HEAD}transfer-encoding: chunked\r\n\r\n5\r\nab`, 'close');
    expect(await send(`${HEAD}content-length: 2\r\nconnection: close\r\n\r\n[]`)).toBe('HTTP/1.1 200 OK');
    expect(refusals()).toHaveLength(before);
  });
});
