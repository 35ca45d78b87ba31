import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { httpsViaProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const OK_HOST = 'westus-0.in.applicationinsights.azure.com';
const REFUSED = 'refused.in.applicationinsights.azure.com';
const RESET = 'reset.in.applicationinsights.azure.com';
const STALL = 'stall.in.applicationinsights.azure.com';

/** A TCP server that accepts and then does what it is told: reset at once, or never answer. */
async function rawServer(
  behaviour: 'reset' | 'stall',
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (behaviour === 'reset') socket.once('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('upstream failures: the client gets 502/504, the log says why, the proxy keeps serving', () => {
  let proxy: TestProxy;
  let upstream: TestUpstream;
  let reset: Awaited<ReturnType<typeof rawServer>>;
  let stall: Awaited<ReturnType<typeof rawServer>>;
  const tmp = tempDir();

  beforeAll(async () => {
    upstream = await startUpstream([OK_HOST]);
    reset = await rawServer('reset');
    stall = await rawServer('stall');
    const caFile = path.join(tmp.dir, 'ca.pem');
    writeFileSync(caFile, upstream.caPem);
    proxy = await startTestProxy({
      upstreamTimeout: 700,
      upstreamCa: [caFile],
      resolve: [
        `${OK_HOST}:443=127.0.0.1:${upstream.port}`,
        `${REFUSED}:443=127.0.0.1:${await closedPort()}`,
        `${RESET}:443=127.0.0.1:${reset.port}`,
        `${STALL}:443=127.0.0.1:${stall.port}`,
      ],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([upstream?.close(), reset?.close(), stall?.close()]);
    tmp.cleanup();
  });

  it.each([
    [REFUSED, 502, 'UPSTREAM_REFUSED', 'UPSTREAM_UNREACHABLE'],
    [RESET, 502, 'UPSTREAM_RESET', 'UPSTREAM_UNREACHABLE'],
    [STALL, 504, 'UPSTREAM_TIMEOUT', 'UPSTREAM_TIMEOUT'],
  ])('%s → %d %s, then a normal request succeeds', async (host, status, kind, findingId) => {
    const before = proxy.exchanges().length;
    const started = Date.now();
    const res = await httpsViaProxy({
      proxyPort: proxy.port,
      host,
      path: '/v2.1/track',
      method: 'POST',
      body: '[]',
      ca: proxy.caPem,
    });
    expect(res.status).toBe(status);
    expect(res.body.toString()).toContain(kind);
    if (kind === 'UPSTREAM_TIMEOUT') expect(Date.now() - started).toBeLessThan(3000);
    const [line] = (await proxy.waitForExchanges(before + 1)).slice(before);
    expect(line.exchange.error.kind).toBe(kind);
    expect(line.level).toBe('error');
    expect(line.findings.map((f: any) => f.id)).toContain(findingId);

    const ok = await httpsViaProxy({
      proxyPort: proxy.port,
      host: OK_HOST,
      path: '/v2.1/track',
      method: 'POST',
      body: '[]',
      ca: proxy.caPem,
    });
    expect(ok.status).toBe(200);
  });
});
