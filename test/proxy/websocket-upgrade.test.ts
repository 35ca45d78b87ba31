import http from 'node:http';
import net from 'node:net';
import { plainViaProxy, tlsThroughProxy } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { openFds, waitUntil } from '../robustness/fixture';

/**
 * Issue 14, item 2: the proxy owns the `upgrade` path (http-mitm-proxy's own handler skipped the
 * credentials, the scope, the loop check and the log, and forwarded Proxy-Authorization).
 */

const IN_SCOPE = 'westus-0.in.applicationinsights.azure.com';
const CREDENTIALS = `Basic ${Buffer.from('ops:s3cret').toString('base64')}`;

interface UpgradeAnswer {
  statusLine: string;
  head: string;
  socket: net.Socket;
}

/** Sends a raw upgrade request to the proxy; resolves with the answer's head (and the open socket). */
function rawUpgrade(
  proxyPort: number,
  target: string,
  headers: Record<string, string> = {},
): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
    );
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.removeListener('data', onData);
      const rest = buffered.slice(end + 4);
      if (rest) socket.unshift(Buffer.from(rest, 'latin1'));
      resolve({
        statusLine: buffered.slice(0, buffered.indexOf('\r\n')),
        head: buffered.slice(0, end),
        socket,
      });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed before an answer: ${JSON.stringify(buffered)}`)));
  });
}

/** A plain upstream that accepts any upgrade, records the request head and echoes bytes back. */
async function startUpgradeEcho() {
  const seen: http.IncomingHttpHeaders[] = [];
  const urls: string[] = [];
  const server = http.createServer((_req, res) => res.end('no upgrade'));
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    seen.push(req.headers);
    urls.push(req.url ?? '');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    urls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('WebSocket upgrades through the proxy', () => {
  let echo: Awaited<ReturnType<typeof startUpgradeEcho>>;
  let locked: TestProxy;
  let open: TestProxy;
  beforeAll(async () => {
    echo = await startUpgradeEcho();
    locked = await startTestProxy({ proxyAuth: 'ops:s3cret' });
    open = await startTestProxy();
  });
  afterAll(async () => {
    await locked?.close();
    await open?.close();
    await echo?.close();
  });

  it('without proxy credentials: 407, nothing reaches the upstream, and a log line says so', async () => {
    const answer = await rawUpgrade(locked.port, `http://127.0.0.1:${echo.port}/socket`);
    answer.socket.destroy();
    expect(answer.statusLine).toBe('HTTP/1.1 407 Proxy Authentication Required');
    expect(answer.head).toMatch(/Proxy-Authenticate: Basic realm="appinsights-auth-proxy"/);
    expect(echo.seen).toHaveLength(0);
    const line = locked.lines().find((l) => /upgrade without valid proxy credentials \(407\)/.test(l.msg));
    expect(line).toMatchObject({ level: 'warn', client: '127.0.0.1' });
    expect(line.target).toBe(`http://127.0.0.1:${echo.port}/socket`);
  });

  it('with credentials, out of scope: tunnelled byte for byte, Proxy-Authorization not forwarded, logged', async () => {
    const answer = await rawUpgrade(locked.port, `http://127.0.0.1:${echo.port}/socket?x=1`, {
      'Proxy-Authorization': CREDENTIALS,
      'Proxy-Connection': 'keep-alive',
      'X-Kept': 'yes',
    });
    expect(answer.statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    // Arbitrary bytes (every value 0-255) come back unchanged through the tunnel.
    const payload = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const echoed = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      answer.socket.on('data', (c: Buffer) => {
        chunks.push(c);
        if (Buffer.concat(chunks).length >= payload.length) resolve(Buffer.concat(chunks));
      });
      answer.socket.write(payload);
    });
    expect(echoed.equals(payload)).toBe(true);
    expect(echo.urls.at(-1)).toBe('/socket?x=1');
    expect(echo.seen.at(-1)!['proxy-authorization']).toBeUndefined();
    expect(echo.seen.at(-1)!['proxy-connection']).toBeUndefined();
    expect(echo.seen.at(-1)!['x-kept']).toBe('yes');
    answer.socket.destroy();
    expect(locked.lines().some((l) => /websocket upgrade tunnelled to 127\.0\.0\.1:\d+/.test(l.msg))).toBe(
      true,
    );
    // The tunnel's own line when it closes (bytes counted).
    expect(
      await waitUntil(() => locked.lines().some((l) => l.tunnel?.target === `127.0.0.1:${echo.port}`), 5000),
    ).toBe(true);
  });

  it('aimed at the proxy itself: refused at once, no loop (connections and file handles stay flat)', async () => {
    const fdsBefore = openFds();
    for (let i = 0; i < 20; i++) {
      const self = await rawUpgrade(open.port, `http://127.0.0.1:${open.port}/`);
      expect(self.statusLine).toBe('HTTP/1.1 508 Loop Detected');
      self.socket.destroy();
      const byName = await rawUpgrade(open.port, `ws://localhost:${open.port}/x`);
      expect(byName.statusLine).toBe('HTTP/1.1 508 Loop Detected');
      byName.socket.destroy();
      // Origin form is addressed to the proxy; the Host header never routes.
      const origin = await rawUpgrade(open.port, '/');
      expect(origin.statusLine).toBe('HTTP/1.1 404 Not Found');
      origin.socket.destroy();
    }
    expect(await waitUntil(() => open.running.server.openSockets === 0, 5000)).toBe(true);
    // A loop would open sockets to ourselves without end; allow a little unrelated noise.
    expect(openFds() - fdsBefore).toBeLessThan(20);
    expect(open.lines().filter((l) => /loop to the proxy itself/.test(l.msg))).toHaveLength(40);
  });

  it('the proxy under another spelling (IPv4-mapped IPv6, hex form) is still itself', async () => {
    const answer = await rawUpgrade(open.port, `http://[::ffff:7f00:1]:${open.port}/`);
    answer.socket.destroy();
    expect(answer.statusLine).toBe('HTTP/1.1 508 Loop Detected');
    // A name the check does not know (localhost.): forwarded upgrades and requests arrive in
    // origin form, which the proxy answers itself, so even then there is one hop, not a loop.
    const plain = await plainViaProxy(open.port, `http://localhost.:${open.port}/nothing-here`);
    expect([404, 502]).toContain(plain.status);
    expect(await waitUntil(() => open.running.server.openSockets === 0, 10_000)).toBe(true);
  });

  it('the unauthenticated upgrade aimed at the proxy itself is refused with 407 (and does not loop)', async () => {
    const answer = await rawUpgrade(locked.port, `http://127.0.0.1:${locked.port}/`);
    answer.socket.destroy();
    expect(answer.statusLine).toBe('HTTP/1.1 407 Proxy Authentication Required');
    expect(await waitUntil(() => locked.running.server.openSockets === 0, 5000)).toBe(true);
  });

  it('to an intercepted host: a clear 501, in absolute form and inside a decrypted tunnel', async () => {
    const absolute = await rawUpgrade(open.port, `http://${IN_SCOPE}/live`);
    absolute.socket.destroy();
    expect(absolute.statusLine).toBe('HTTP/1.1 501 Not Implemented');
    expect(absolute.head).toMatch(/Content-Type: text\/plain/);

    const secure = await tlsThroughProxy(open.port, IN_SCOPE, open.caPem);
    secure.write(
      `GET /live HTTP/1.1\r\nHost: ${IN_SCOPE}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    const text = await new Promise<string>((resolve) => {
      let got = '';
      secure.on('data', (c: Buffer) => (got += c.toString()));
      secure.on('close', () => resolve(got));
    });
    expect(text).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(text).toMatch(/Azure Monitor ingestion needs no WebSocket/);
    expect(open.lines().some((l) => /upgrade inside an intercepted host \(501\)/.test(l.msg))).toBe(true);
  });
});
