import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { Writable } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'undici';
import { runProxy, type RunningProxy } from '../../src/cli/run-proxy';
import { connectTunnel } from '../helpers/proxy-client';
import { DEFAULT_TEST_OPTIONS } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { HOST, openFds, waitUntil } from './fixture';

const TUNNELS = 200;
const PER_TUNNEL = 50;

describe('load: 200 concurrent tunnels × 50 requests', () => {
  let upstream: TestUpstream;
  let proxy: RunningProxy;
  let caPem: string;
  let logLines = 0;
  const tmp = tempDir('aiproxy-load-');

  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    // The upstream echoes the body back, so both directions can be compared byte for byte.
    upstream.handler = (_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    };
    const caFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(caFile, upstream.caPem);
    proxy = await runProxy({
      ...DEFAULT_TEST_OPTIONS,
      caDir: path.join(tmp.dir, 'ca'),
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [caFile],
      // No tight upstream timeout: on a loaded machine answers are slow, and a 504 here would
      // measure the machine, not the proxy (issue 14, item 9). Pooled upstream sockets are
      // counted instead of waited out.
      upstreamTimeout: 120_000,
      // Count the log lines rather than keeping them all in memory.
      logDestination: new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) logLines += 1;
          cb();
        },
      }),
    });
    caPem = readFileSync(proxy.caCertPath, 'utf8');
  });

  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('every body byte-identical both ways, no errors, file descriptors back to the start', async () => {
    const fdsAtStart = openFds();
    const started = Date.now();
    const failures: string[] = [];
    let ok = 0;
    const lane = async (n: number) => {
      const client = new Client(`https://${HOST}`, {
        pipelining: 1,
        connect: (_opts, cb) => {
          connectTunnel(proxy.address.port, `${HOST}:443`).then(
            (raw) => {
              const socket = tls.connect({ socket: raw, servername: HOST, ca: caPem });
              socket.once('secureConnect', () => cb(null, socket));
              socket.once('error', (err) => cb(err, null));
            },
            (err: Error) => cb(err, null),
          );
        },
      });
      try {
        for (let i = 0; i < PER_TUNNEL; i++) {
          const body = randomBytes(256 + ((n * 131 + i * 17) % 4096));
          const res = await client.request({
            path: '/v2.1/track',
            method: 'POST',
            headers: {
              host: HOST,
              'content-type': 'application/octet-stream',
              authorization: 'Bearer a.b.c',
            },
            body,
            headersTimeout: 30_000,
            bodyTimeout: 30_000,
          });
          const echoed = Buffer.from(await res.body.arrayBuffer());
          if (res.statusCode !== 200 || !echoed.equals(body)) {
            failures.push(
              `tunnel ${n} request ${i}: status ${res.statusCode}, ${echoed.length}/${body.length} bytes`,
            );
          } else ok += 1;
        }
      } catch (err) {
        failures.push(`tunnel ${n}: ${(err as Error).message}`);
      } finally {
        await client.close().catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: TUNNELS }, (_, n) => lane(n)));
    expect(failures.slice(0, 5)).toEqual([]);
    expect(ok).toBe(TUNNELS * PER_TUNNEL);
    // One tunnel per lane: the client connections really were kept alive.
    expect(proxy.server.counters.exchanges).toBeGreaterThanOrEqual(TUNNELS * PER_TUNNEL);
    expect(await waitUntil(() => proxy.server.openSockets === 0, 60_000)).toBe(true);
    // Nothing is left open but the upstream pool's kept-alive sockets (two descriptors each: this
    // process also holds the upstream server's end), and the pool is bounded.
    const pooled = () => proxy.server.upstreamPoolSockets;
    const settled = await waitUntil(() => openFds() <= fdsAtStart + 2 * pooled(), 60_000);
    expect({ fds: openFds(), fdsAtStart, pooled: pooled(), settled }).toMatchObject({ settled: true });
    expect(pooled()).toBeLessThanOrEqual(64); // the agent keeps at most 64 idle sockets per origin
    await proxy.pipeline.drain(60_000);
    expect(logLines).toBeGreaterThan(0);
    process.stdout.write(
      `load: ${ok} requests over ${TUNNELS} tunnels in ${Date.now() - started} ms; ${logLines} log lines; ` +
        `fds ${fdsAtStart} → ${openFds()}; not analysed (backlog full): ${proxy.pipeline.dropped}\n`,
    );
  }, 300_000);
});
