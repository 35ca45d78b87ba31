import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { connectTunnel, tlsThroughProxy } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';
import {
  type Fixture,
  type RawUpstream,
  startFixture,
  startRawUpstream,
  waitUntil,
  withTimeout,
} from './fixture';

const SUFFIX = '.in.applicationinsights.azure.com';
const REFUSED = `refused${SUFFIX}`;
const RESET = `reset${SUFFIX}`;
const STALL = `stall${SUFFIX}`;
const UNTRUSTED = `untrusted${SUFFIX}`;
const WRONG_NAME = `wrongname${SUFFIX}`;
const UPLOAD = `upload${SUFFIX}`;
const DOWNLOAD = `download${SUFFIX}`;
const UPSTREAM_TIMEOUT = 1500;

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('faults: the proxy answers, cleans up, and keeps serving', () => {
  let f: Fixture;
  const upstreams = {} as Record<
    'reset' | 'stall' | 'untrusted' | 'wrongName' | 'upload' | 'download',
    RawUpstream
  >;
  const tmp = tempDir('aiproxy-faults-');
  let downloadTimers = 0;

  beforeAll(async () => {
    upstreams.reset = await startRawUpstream(RESET, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 200_000 });
      res.write(Buffer.alloc(50_000, 1));
      setTimeout(() => res.socket?.destroy(), 30);
    });
    upstreams.stall = await startRawUpstream(STALL, () => undefined);
    upstreams.untrusted = await startRawUpstream(UNTRUSTED, (_req, res) => res.end('never'));
    upstreams.wrongName = await startRawUpstream('someone-else.example', (_req, res) => res.end('never'));
    upstreams.upload = await startRawUpstream(UPLOAD, (req, res) => {
      req.on('end', () => res.end('done'));
      req.resume();
    });
    upstreams.download = await startRawUpstream(DOWNLOAD, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      downloadTimers += 1;
      const started = Date.now();
      const timer = setInterval(() => {
        // Endless, but bounded: never longer than 15 s.
        if (res.destroyed || Date.now() - started > 15_000) {
          clearInterval(timer);
          downloadTimers -= 1;
          res.destroy();
          return;
        }
        res.write(Buffer.alloc(16_384, 2));
      }, 10);
    });
    const caFiles: string[] = [];
    for (const [name, u] of Object.entries(upstreams)) {
      if (name === 'untrusted') continue;
      const file = path.join(tmp.dir, `${name}.pem`);
      writeFileSync(file, u.caPem);
      caFiles.push(file);
    }
    const refusedPort = await closedPort();
    f = await startFixture(
      {
        upstreamTimeout: UPSTREAM_TIMEOUT,
        upstreamCa: caFiles,
        resolve: [
          `${REFUSED}:443=127.0.0.1:${refusedPort}`,
          `${RESET}:443=127.0.0.1:${upstreams.reset.port}`,
          `${STALL}:443=127.0.0.1:${upstreams.stall.port}`,
          `${UNTRUSTED}:443=127.0.0.1:${upstreams.untrusted.port}`,
          `${WRONG_NAME}:443=127.0.0.1:${upstreams.wrongName.port}`,
          `${UPLOAD}:443=127.0.0.1:${upstreams.upload.port}`,
          `${DOWNLOAD}:443=127.0.0.1:${upstreams.download.port}`,
        ],
      },
      undefined,
      [() => tmp.cleanup()],
    );
  });

  afterAll(async () => {
    await f?.close();
    for (const u of Object.values(upstreams)) await u.close();
  });

  afterEach(async () => {
    // After every fault: no client connection left behind, and a normal request is served.
    expect(await waitUntil(() => f.proxy.running.server.openSockets === 0, 3000)).toBe(true);
    await f.expectHealthy();
  });

  const lastExchange = async (host: string) => {
    await waitUntil(() => f.proxy.exchanges().some((l) => l.exchange.request.host === host), 3000);
    return f.proxy
      .exchanges()
      .filter((l) => l.exchange.request.host === host)
      .at(-1)?.exchange;
  };

  it('upstream refuses the connection: 502 UPSTREAM_REFUSED', async () => {
    const res = await f.post('[]', REFUSED);
    expect(res.status).toBe(502);
    expect(res.headers['x-appinsights-auth-proxy-error']).toBe('UPSTREAM_REFUSED');
    expect((await lastExchange(REFUSED))?.error?.kind).toBe('UPSTREAM_REFUSED');
  });

  it('upstream resets mid-response: the client sees a truncated body, never a clean end', async () => {
    const outcome = await f.post('[]', RESET).then(
      (res) => ({ ok: true, length: res.body.length, message: '' }),
      (err: Error) => ({ ok: false, length: -1, message: err.message }),
    );
    if (outcome.ok) expect(outcome.length).toBeLessThan(200_000);
    else expect(outcome.message).toMatch(/aborted|hang up|ECONNRESET|closed/i);
    const exchange = await lastExchange(RESET);
    expect(exchange?.error?.kind).toBe('UPSTREAM_RESET');
    expect(exchange?.response?.status).toBe(200);
  });

  it('upstream stalls: 504 within --upstream-timeout', async () => {
    const started = Date.now();
    const res = await f.post('[]', STALL);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.headers['x-appinsights-auth-proxy-error']).toBe('UPSTREAM_TIMEOUT');
    // Not before the timeout (timers never fire early); no upper bound: a loaded machine fires late.
    expect(elapsed).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT - 50);
    expect((await lastExchange(STALL))?.error?.kind).toBe('UPSTREAM_TIMEOUT');
    // The stalled upstream request was abandoned, not left open.
    expect(await waitUntil(() => upstreams.stall.requests.every((r) => r.closed), 3000)).toBe(true);
  });

  it.each([
    ['untrusted', UNTRUSTED],
    ['wrong-name', WRONG_NAME],
  ])('upstream presents an %s certificate: 502 UPSTREAM_TLS_FAILED', async (_label, host) => {
    const res = await f.post('[]', host);
    expect(res.status).toBe(502);
    expect(res.headers['x-appinsights-auth-proxy-error']).toBe('UPSTREAM_TLS_FAILED');
    const exchange = await lastExchange(host);
    expect(exchange?.error?.kind).toBe('UPSTREAM_TLS_FAILED');
    expect(JSON.stringify(f.proxy.lines().filter((l) => l.exchange?.request.host === host))).toContain(
      'UPSTREAM_TLS_FAILED',
    );
  });

  it('client aborts mid-upload: the upstream request is aborted too', async () => {
    const before = upstreams.upload.requests.length;
    const socket = await tlsThroughProxy(f.proxy.port, UPLOAD, f.proxy.caPem);
    socket.on('error', () => undefined);
    socket.write(
      `POST /v2.1/track HTTP/1.1\r\nHost: ${UPLOAD}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`,
    );
    socket.write(Buffer.alloc(64_000, 0x20));
    expect(await waitUntil(() => upstreams.upload.requests.length > before, 3000)).toBe(true);
    socket.destroy();
    const note = upstreams.upload.requests[before]!;
    expect(await waitUntil(() => note.closed, 3000)).toBe(true);
    expect(note.completed).toBe(false);
    expect(await waitUntil(() => upstreams.upload.openSockets() === 0, 3000)).toBe(true);
    expect((await lastExchange(UPLOAD))?.error?.kind).toBe('CLIENT_ABORTED');
  });

  it('client aborts mid-download: the upstream response is abandoned too', async () => {
    const before = upstreams.download.requests.length;
    const socket = await tlsThroughProxy(f.proxy.port, DOWNLOAD, f.proxy.caPem);
    socket.on('error', () => undefined);
    socket.write(`GET /big HTTP/1.1\r\nHost: ${DOWNLOAD}\r\n\r\n`);
    let received = 0;
    await withTimeout(
      new Promise<void>((resolve) =>
        socket.on('data', (c: Buffer) => {
          received += c.length;
          if (received > 100_000) resolve();
        }),
      ),
      5000,
      'the first 100 KB of the download',
    );
    socket.destroy();
    const note = upstreams.download.requests[before]!;
    expect(await waitUntil(() => note.closed, 3000)).toBe(true);
    expect(await waitUntil(() => downloadTimers === 0, 3000)).toBe(true);
    expect(await waitUntil(() => upstreams.download.openSockets() === 0, 3000)).toBe(true);
  });
});

describe('idle clients are freed by the idle timeout', () => {
  let f: Fixture;
  const IDLE = 700;

  beforeAll(async () => {
    f = await startFixture({ idleTimeout: IDLE });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('closes connections that send nothing, tunnels with no bytes, and TLS sessions with no request', async () => {
    const closed: Promise<number>[] = [];
    const started = Date.now();
    const track = (socket: net.Socket | tls.TLSSocket) => {
      socket.on('error', () => undefined);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve(Date.now() - started))));
    };
    for (let i = 0; i < 10; i++) {
      const s = net.connect(f.proxy.port, '127.0.0.1');
      track(s);
    }
    for (let i = 0; i < 5; i++) track(await connectTunnel(f.proxy.port, `westus-0${SUFFIX}:443`));
    for (let i = 0; i < 5; i++)
      track(await tlsThroughProxy(f.proxy.port, `westus-0${SUFFIX}`, f.proxy.caPem));
    // Bounded wait, not a speed test: on a loaded machine timers fire late. Closed by the idle
    // timer, not before it (nothing else closes these sockets).
    const times = await withTimeout(Promise.all(closed), 60_000, 'idle connections to be closed');
    expect(Math.min(...times)).toBeGreaterThanOrEqual(IDLE - 50);
    expect(await waitUntil(() => f.proxy.running.server.openSockets === 0, 30_000)).toBe(true);
    await f.expectHealthy();
  }, 120_000);
});
