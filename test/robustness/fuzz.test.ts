import net from 'node:net';
import tls from 'node:tls';
import { connectTunnel } from '../helpers/proxy-client';
import { type Fixture, HOST, startFixture, waitUntil } from './fixture';

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from its seed and index. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20250107);
const CASES = Number(process.env.FUZZ_CASES ?? 800);
const TIME_BOUND_MS = 25_000;
const PER_CASE_MS = 4000;

const METHODS = [
  'GET',
  'POST',
  'PUT',
  'CONNECT',
  'HEAD',
  'OPTIONS',
  'DELETE',
  'BREW',
  'get',
  '',
  'P\u00d6ST',
  'GET GET',
];
const TARGETS = [
  '/v2.1/track',
  '/',
  '*',
  '',
  'http://example.test/',
  `https://${HOST}/v2/track`,
  `${HOST}:443`,
  '//x',
  '/%00',
  '/a?b=c&&&',
  '/\u00ff\u00fe',
  'http://[::1]:99999/',
  'x'.repeat(300),
];
const VERSIONS = [
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/0.9',
  'HTTP/1.1 extra',
  '',
  'HTTPS/1.1',
  'http/1.1',
];
const HEADER_NAMES = [
  'Host',
  'Content-Length',
  'Transfer-Encoding',
  'Content-Encoding',
  'Authorization',
  'Connection',
  'Expect',
  'X-Ms-Client-Request-Id',
  'Bad Name',
  'X\u0000Y',
  ':authority',
  '',
];
const HEADER_VALUES = [
  HOST,
  '0',
  '5',
  '-1',
  '99999999999999999999',
  'chunked',
  'gzip',
  'gzip, br',
  'Bearer a.b.c',
  'Bearer ',
  'close',
  'keep-alive, Upgrade',
  '100-continue',
  'v\r\nInjected: yes',
  '\u00e9\u00e8',
  ' '.repeat(20),
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** One request made of mutated pieces: request line, headers and body. */
function makeCase(r: () => number): Buffer {
  const parts: Buffer[] = [];
  const sep = r() < 0.9 ? '\r\n' : pick(r, ['\n', '\r', '\r\r\n', '']);
  parts.push(Buffer.from(`${pick(r, METHODS)} ${pick(r, TARGETS)} ${pick(r, VERSIONS)}${sep}`, 'latin1'));
  const headerCount = Math.floor(r() * 8);
  for (let i = 0; i < headerCount; i++) {
    parts.push(Buffer.from(`${pick(r, HEADER_NAMES)}: ${pick(r, HEADER_VALUES)}${sep}`, 'latin1'));
  }
  if (r() < 0.8) parts.push(Buffer.from(sep, 'latin1'));
  const bodyKind = r();
  if (bodyKind < 0.3) parts.push(Buffer.from('[{"name":"x","iKey":"11111111-2222-3333-4444-555555555555"}]'));
  else if (bodyKind < 0.5)
    parts.push(Buffer.from(`5\r\nhello\r\n${pick(r, ['0\r\n\r\n', 'zz\r\n', '', 'FFFFFFFF\r\n'])}`));
  else if (bodyKind < 0.8) parts.push(randomBytes(r, Math.floor(r() * 4096)));
  const data = Buffer.concat(parts);
  // Sometimes flip a few bytes anywhere.
  const flips = r() < 0.3 ? Math.floor(r() * 4) : 0;
  for (let i = 0; i < flips; i++) data[Math.floor(r() * data.length)] = Math.floor(r() * 256);
  return data;
}

/**
 * Sends the bytes, half-closes, and waits for the proxy to close. Returns 'closed', or 'hung' if
 * the connection is still open after the bound (the proxy must answer or close every connection).
 */
async function runCase(socket: net.Socket | tls.TLSSocket, data: Buffer): Promise<'closed' | 'hung'> {
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')));
  socket.write(data);
  socket.end();
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    closed,
    new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), PER_CASE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (result === 'hung') socket.destroy();
  return result;
}

describe('seeded fuzz over request lines, headers and bodies', () => {
  let f: Fixture;
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    f = await startFixture({ idleTimeout: 2000, upstreamTimeout: 2000 });
  });
  afterAll(async () => {
    process.removeListener('uncaughtException', onUncaught);
    await f?.close();
  });

  it(`${CASES} cases (seed ${SEED}, at most ${TIME_BOUND_MS / 1000} s): zero crashes, zero hangs, every connection answered or closed`, async () => {
    const r = rng(SEED);
    const started = Date.now();
    const hung: string[] = [];
    let ran = 0;
    for (let i = 0; i < CASES && Date.now() - started < TIME_BOUND_MS; i++) {
      const data = makeCase(r);
      // Three ways in: plain to the proxy, inside a decrypted tunnel, inside an undecrypted one.
      const way = r();
      let socket: net.Socket | tls.TLSSocket;
      try {
        if (way < 0.4) socket = net.connect(f.proxy.port, '127.0.0.1');
        else if (way < 0.85) {
          const raw = await connectTunnel(f.proxy.port, `${HOST}:443`);
          socket = tls.connect({ socket: raw, servername: HOST, ca: f.proxy.caPem });
          await new Promise<void>((resolve, reject) => {
            socket.once('secureConnect', () => resolve());
            socket.once('error', reject);
          });
        } else socket = await connectTunnel(f.proxy.port, `${HOST}:443`);
      } catch (err) {
        throw new Error(`case ${i} (seed ${SEED}): could not even connect: ${(err as Error).message}`);
      }
      const outcome = await runCase(socket, data);
      if (outcome === 'hung')
        hung.push(`case ${i}: ${JSON.stringify(data.subarray(0, 120).toString('latin1'))}`);
      ran += 1;
    }
    expect(ran).toBeGreaterThanOrEqual(Math.min(CASES, 50));
    expect(hung).toEqual([]);
    expect(uncaught).toEqual([]);
    expect(await waitUntil(() => f.proxy.running.server.openSockets === 0, 5000)).toBe(true);
    await f.expectHealthy();
    // Still alive and counting.
    expect(f.proxy.running.server.counters.exchanges).toBeGreaterThan(0);
  });
});
