import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CliProcess, runCli } from '../helpers/cli-process';
import { httpsViaProxy } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/** The stderr lines saying a log destination failed, once one came (or after 10 s). */
async function failureNotices(proxy: CliProcess): Promise<string[]> {
  const until = Date.now() + 10_000;
  while (!proxy.stderr().includes('cannot write the log') && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return proxy
    .stderr()
    .split('\n')
    .filter((l) => l.includes('cannot write the log'));
}

/**
 * A log file that fails once the proxy runs (a full disk: /dev/full answers every write with
 * ENOSPC) used to take the proxy down with an unhandled 'error' event. Now it is said once on
 * stderr, that file gets no more lines, stdout keeps its lines, and the proxy relays and stops
 * cleanly (the real built CLI).
 */
describe('a log destination that fails while the proxy runs', () => {
  const tmp = tempDir('aiproxy-logfail-');
  let upstream: TestUpstream;
  let proxy: CliProcess | undefined;
  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
  });
  afterAll(async () => {
    await proxy?.stop('SIGKILL');
    await upstream?.close();
    tmp.cleanup();
  });

  it('--log-file /dev/full: one notice on stderr, the proxy keeps relaying and logging to stdout', async () => {
    if (!existsSync('/dev/full')) throw new Error('/dev/full is missing on this machine');
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    proxy = runCli([
      'start',
      '--port',
      '0',
      '--log-format',
      'json',
      '--summary',
      'false',
      '--ca-dir',
      path.join(tmp.dir, 'certs'),
      '--resolve',
      `${HOST}:443=127.0.0.1:${upstream.port}`,
      '--upstream-ca',
      upstreamCa,
      '--log-file',
      '/dev/full',
    ]);
    const started = await proxy.waitForLine((l) => typeof l.listening === 'string', 30_000);
    const port = Number(String(started.listening).split(':').pop());
    const ca = readFileSync(started.ca.path, 'utf8');
    const track = () =>
      httpsViaProxy({ proxyPort: port, host: HOST, path: '/v2.1/track', method: 'POST', body: '[]', ca });
    for (let i = 0; i < 5; i++) expect((await track()).status).toBe(200);
    await proxy.waitForLine((l) => l.exchange?.request?.path === '/v2.1/track', 20_000);
    // The flush every 100 ms meets the full disk; the proxy is still there to answer afterwards.
    const notices = await failureNotices(proxy);
    expect(notices).toEqual([expect.stringContaining('cannot write the log to /dev/full (ENOSPC')]);
    expect((await track()).status).toBe(200);
    expect(proxy.child.exitCode).toBeNull();
    const stopping = proxy;
    proxy = undefined;
    expect(await stopping.stop('SIGTERM', 20_000)).toBe(0);
    expect(stopping.lines().filter((l) => l.exchange).length).toBeGreaterThanOrEqual(6);
    expect(stopping.stderr()).not.toMatch(/Unhandled 'error' event|ENOSPC[\s\S]*at /);
  }, 60_000);

  it.each([
    { format: 'pretty', gone: 'stdout (| head)' },
    { format: 'pretty', gone: 'stdout and stderr (2>&1 | head)' },
    { format: 'json', gone: 'stdout and stderr (2>&1 | head)' },
  ])(
    '--log-format $format, the reader of $gone gone: the proxy keeps relaying and stops cleanly, the log file keeps every line',
    async ({ format, gone }) => {
      const run = `${format}-${gone.length}`;
      const upstreamCa = path.join(tmp.dir, `upstream-ca-${run}.pem`);
      writeFileSync(upstreamCa, upstream.caPem);
      const logFile = path.join(tmp.dir, `${run}.log`);
      proxy = runCli([
        'start',
        '--port',
        '0',
        '--log-format',
        format,
        '--summary',
        'false',
        '--ca-dir',
        path.join(tmp.dir, `certs-${run}`),
        '--resolve',
        `${HOST}:443=127.0.0.1:${upstream.port}`,
        '--upstream-ca',
        upstreamCa,
        '--log-file',
        logFile,
      ]);
      const fileLines = () =>
        existsSync(logFile)
          ? readFileSync(logFile, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l))
          : [];
      let started: any;
      for (const until = Date.now() + 30_000; !started && Date.now() < until;) {
        started = fileLines().find((l) => typeof l.listening === 'string');
        if (!started) await new Promise((r) => setTimeout(r, 20));
      }
      expect(proxy.stdout()).toContain('appinsights-auth-proxy listening on');
      // The reader stops: the pipe is closed, the next write to it meets EPIPE.
      proxy.child.stdout!.destroy();
      if (gone.startsWith('stdout and stderr')) proxy.child.stderr!.destroy();
      const port = Number(String(started.listening).split(':').pop());
      const ca = readFileSync(started.ca.path, 'utf8');
      const track = () =>
        httpsViaProxy({ proxyPort: port, host: HOST, path: '/v2.1/track', method: 'POST', body: '[]', ca });
      for (let i = 0; i < 5; i++) expect((await track()).status).toBe(200);
      if (gone === 'stdout (| head)') {
        const notices = await failureNotices(proxy);
        expect(proxy.stderr()).not.toMatch(/Unhandled 'error' event|EPIPE[\s\S]*at /);
        expect(notices).toEqual([expect.stringContaining('cannot write the log to stdout (')]);
      } else await new Promise((r) => setTimeout(r, 300)); // the flush every 100 ms meets the closed pipes
      expect((await track()).status).toBe(200);
      expect(proxy.child.exitCode).toBeNull();
      const stopping = proxy;
      proxy = undefined;
      expect(await stopping.stop('SIGTERM', 20_000)).toBe(0);
      expect(fileLines().filter((l) => l.exchange?.request?.path === '/v2.1/track')).toHaveLength(6);
    },
    60_000,
  );
});
