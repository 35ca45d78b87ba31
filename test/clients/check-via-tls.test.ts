/**
 * `check --via <the proxy>` probes TLS through the proxy before it sends its record. That probe
 * must look like a client that trusted the handshake, not like one that refused the proxy's CA:
 * the demo's "check, with the right secret" scenario is documented as raising no finding.
 */
import tls from 'node:tls';
import { tlsStep } from '../../src/check/network-steps';
import { openConnection, parseVia } from '../../src/check/tunnel';
import type { TestProxy } from '../helpers/proxy-harness';
import { type ProxiedUpstream, startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/** One POST through a fresh tunnel, the proxy's CA trusted: the exchange the test then waits for. */
async function postThrough(proxy: TestProxy): Promise<string> {
  const { socket } = await openConnection(HOST, 443, parseVia(`http://127.0.0.1:${proxy.port}`), 10_000);
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername: HOST, ca: proxy.caPem });
    let answer = '';
    secure.setTimeout(15_000, () => secure.destroy(new Error('no answer within 15 s')));
    secure.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    secure.once('error', reject);
    secure.once('end', () => resolve(answer));
    secure.once('secureConnect', () =>
      secure.write(
        `POST /v2.1/track HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]`,
      ),
    );
  });
}

describe('check --via: the TLS step through the proxy', () => {
  let setup: ProxiedUpstream;
  let proxy: TestProxy;
  beforeAll(async () => {
    setup = await startProxiedUpstream(HOST);
    proxy = setup.proxy;
  }, 60_000);
  afterAll(async () => {
    await setup?.close();
  });

  it('completes the handshake on the proxy side too, so the proxy logs no "client does not trust the proxy CA"', async () => {
    const via = parseVia(`http://127.0.0.1:${proxy.port}`);
    for (let i = 0; i < 3; i++) {
      const { socket } = await openConnection(HOST, 443, via, 10_000);
      const step = await tlsStep({ ingestionHost: HOST } as never, socket, 10_000);
      expect(step.details).toMatchObject({ issuedBy: 'this-tool' });
    }
    // A request after the probes: once its line is there, the probes' lines (if any) are too.
    expect(await postThrough(proxy)).toMatch(/^HTTP\/1\.1 200/);
    const until = Date.now() + 20_000;
    while (!proxy.exchanges().some((l) => l.exchange.request?.path === '/v2.1/track') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    const errors = proxy.exchanges().map((l) => l.exchange.error?.kind ?? null);
    const findings = proxy.lines().flatMap((l) => (l.findings ?? []).map((f: { id: string }) => f.id));
    expect({ errors, findings }).toEqual({ errors: [null], findings: [] });
  }, 60_000);
});
