import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { gzipSync } from 'node:zlib';
import { makeJwt } from '../helpers/proxy-harness';
import { connectTunnel, httpsViaProxy, tlsThroughProxy } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';
import { sha256 } from '../helpers/upstream';
import { type Fixture, HOST, startFixture, waitUntil, withTimeout } from './fixture';

/** Sends raw bytes to the proxy (or through `wrap`) and collects the answer until the proxy closes. */
async function exchangeRaw(
  socket: net.Socket | tls.TLSSocket,
  data: Buffer | string,
  timeoutMs = 5000,
): Promise<{ text: string; closed: boolean }> {
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(data);
  socket.end();
  const ok = await withTimeout(closed, timeoutMs, 'the proxy to answer and close').then(
    () => true,
    () => false,
  );
  if (!ok) socket.destroy();
  return { text, closed: ok };
}

function statusOf(text: string): number | undefined {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : undefined;
}

describe('malformed input: answered or closed, never a crash or a hang', () => {
  let f: Fixture;
  const CAP = 64 * 1024;

  beforeAll(async () => {
    f = await startFixture({ maxCaptureBytes: CAP });
  });
  afterAll(async () => {
    await f?.close();
  });
  afterEach(async () => {
    expect(await waitUntil(() => f.proxy.running.server.openSockets === 0, 3000)).toBe(true);
    await f.expectHealthy();
  });

  it.each([
    ['random bytes', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0x99])],
    [
      'a TLS ClientHello to the proxy port',
      Buffer.from(
        '160301002a0100002603030000000000000000000000000000000000000000000000000000000000000000000000',
        'hex',
      ),
    ],
    ['text that is not HTTP', 'HELLO PROXY\r\n\r\n'],
    ['a request line without a version', 'GET /\r\n\r\n'],
    ['an unknown method', 'BREW http://example.test/ HTTP/1.1\r\nHost: example.test\r\n\r\n'],
    ['a header without a colon', 'GET http://example.test/ HTTP/1.1\r\nHost example.test\r\n\r\n'],
    [
      'conflicting Content-Length and Transfer-Encoding',
      'POST http://example.test/ HTTP/1.1\r\nHost: example.test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ])('garbage instead of HTTP: %s', async (_label, data) => {
    const res = await exchangeRaw(net.connect(f.proxy.port, '127.0.0.1'), data);
    expect(res.closed).toBe(true);
    const status = statusOf(res.text);
    if (status !== undefined) expect(status).toBeGreaterThanOrEqual(400);
  });

  it.each([
    '/etc/passwd',
    'http://example.test:443',
    `${HOST}:0`,
    `${HOST}:`,
    ':443',
    `${'a'.repeat(300)}.test:443`,
    `${HOST}:443/path`,
    'user@host:443',
  ])('CONNECT to an invalid or path-like target %s: 400', async (target) => {
    const res = await exchangeRaw(
      net.connect(f.proxy.port, '127.0.0.1'),
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`,
    );
    expect(res.closed).toBe(true);
    expect(statusOf(res.text)).toBe(400);
  });

  it('oversized headers: 431 or closed, before and inside a tunnel', async () => {
    const big = `GET http://example.test/ HTTP/1.1\r\nHost: example.test\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`;
    const plain = await exchangeRaw(net.connect(f.proxy.port, '127.0.0.1'), big);
    expect(plain.closed).toBe(true);
    if (statusOf(plain.text) !== undefined) expect(statusOf(plain.text)).toBe(431);
    const inTunnel = await exchangeRaw(
      await tlsThroughProxy(f.proxy.port, HOST, f.proxy.caPem),
      `POST /v2.1/track HTTP/1.1\r\nHost: ${HOST}\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    );
    expect(inTunnel.closed).toBe(true);
    if (statusOf(inTunnel.text) !== undefined) expect(statusOf(inTunnel.text)).toBe(431);
  });

  it('invalid chunked encoding inside a tunnel: 400 or closed, and no complete request upstream', async () => {
    const before = f.upstream.seen.length;
    const res = await exchangeRaw(
      await tlsThroughProxy(f.proxy.port, HOST, f.proxy.caPem),
      `POST /v2.1/track HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n\r\n`,
    );
    expect(res.closed).toBe(true);
    const status = statusOf(res.text);
    if (status !== undefined) expect(status).toBeGreaterThanOrEqual(400);
    expect(f.upstream.seen.length).toBe(before);
  });

  it('non-TLS bytes after CONNECT to an in-scope host are relayed untouched, then closed', async () => {
    const raw = await connectTunnel(f.proxy.port, `${HOST}:443`);
    const res = await exchangeRaw(raw, `GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
    expect(res.closed).toBe(true);
  });

  it('a gzip bomb body: the relay stays exact, the capture stops at its cap', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    const res = await httpsViaProxy({
      proxyPort: f.proxy.port,
      host: HOST,
      path: '/v2.1/track',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
      ca: f.proxy.caPem,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString()).sha256).toBe(sha256(bomb));
    await waitUntil(
      () => f.proxy.exchanges().some((l) => l.exchange.request.body.size === bomb.length),
      5000,
    );
    const line = f.proxy.exchanges().find((l) => l.exchange.request.body.size === bomb.length);
    expect(line).toBeDefined();
    const body = line.exchange.request.body;
    expect(body.decodedTruncated).toBe(true);
    expect(body.decodedSize).toBeLessThanOrEqual(CAP);
  });

  it('invalid JSON bodies are relayed byte for byte and logged', async () => {
    for (const body of ['{"broken', '[1,2,', '\u0000\u0001binary', '{"a":'.repeat(5000)]) {
      const res = await f.post(body);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString()).sha256).toBe(sha256(body));
    }
    await f.proxy.waitForExchanges(4);
  });

  it('invalid JWTs are relayed, logged without their secret part, and never crash the analysis', async () => {
    const tokens = [
      'not-a-jwt',
      'a.b.c',
      `${Buffer.from('{"alg":').toString('base64url')}.${Buffer.from('[[[').toString('base64url')}.sig-secret-part`,
      makeJwt({ aud: 12, exp: 'tomorrow', nbf: null, iss: { nested: true } }),
      `${'x'.repeat(8000)}.${'y'.repeat(8000)}.zzzzsecretzzzz`,
      '',
    ];
    const before = f.proxy.exchanges().length;
    for (const token of tokens) {
      const res = await httpsViaProxy({
        proxyPort: f.proxy.port,
        host: HOST,
        path: '/v2.1/track',
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '[]',
        ca: f.proxy.caPem,
      });
      expect(res.status).toBe(200);
    }
    const lines = await f.proxy.waitForExchanges(before + tokens.length);
    expect(lines.length).toBeGreaterThanOrEqual(before + tokens.length);
    expect(f.proxy.raw()).not.toContain('sig-secret-part');
    expect(f.proxy.raw()).not.toContain('zzzzsecretzzzz');
  });
});

describe('invalid connection strings at start-up', () => {
  const main = path.resolve(__dirname, '../../dist/cli/main.js');
  const tmp = tempDir('aiproxy-cs-');
  afterAll(() => tmp.cleanup());

  it.each([
    'garbage',
    'InstrumentationKey=not-a-guid',
    'IngestionEndpoint=https://x/;',
    'InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=ftp://nope',
  ])('--connection-string %s: a clear error and exit code 2', (cs) => {
    if (!existsSync(main))
      throw new Error('dist/cli/main.js is missing: run `npx tsc` (npm test does) first');
    const r = spawnSync(
      process.execPath,
      [
        main,
        'start',
        '--port',
        '0',
        '--ca-dir',
        path.join(tmp.dir, 'ca'),
        '--log-format',
        'json',
        '--connection-string',
        cs,
      ],
      { encoding: 'utf8', timeout: 15_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/connection string/i);
    expect(r.stderr.length).toBeLessThan(2000);
  });
});
