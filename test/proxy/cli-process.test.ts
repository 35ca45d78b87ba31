import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ProxyAgent, request } from 'undici';
import { type CliProcess, runCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { sha256, startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

describe('the start command as a process', () => {
  let upstream: TestUpstream;
  let cli: CliProcess | undefined;
  const tmp = tempDir();
  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
  });
  afterEach(async () => {
    await cli?.stop('SIGKILL');
    cli = undefined;
  });
  afterAll(async () => {
    await upstream?.close();
    tmp.cleanup();
  });

  it('starts with a startup line, relays 100 requests on one keep-alive tunnel byte for byte under 200 MB RSS, and exits 0 on SIGTERM', async () => {
    const caFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(caFile, upstream.caPem);
    const caDir = path.join(tmp.dir, 'certs');
    cli = runCli([
      'start',
      '--port',
      '0',
      '--ca-dir',
      caDir,
      '--log-format',
      'json',
      '--upstream-ca',
      caFile,
      '--resolve',
      `${HOST}:443=127.0.0.1:${upstream.port}`,
    ]);
    const startup = await cli.waitForLine((l) => l.listening);
    expect(startup.javaFlags).toMatch(/-Dhttps\.proxyHost=127\.0\.0\.1 -Dhttps\.proxyPort=\d+/);
    expect(startup.ca.path).toBe(path.join(caDir, 'ca.pem'));
    const port = Number(String(startup.listening).split(':').pop());
    const caPem = readFileSync(startup.ca.path, 'utf8');
    const agent = new ProxyAgent({
      uri: `http://127.0.0.1:${port}`,
      requestTls: { ca: caPem },
      connections: 1,
    });
    try {
      for (let i = 0; i < 100; i += 1) {
        const body = JSON.stringify([{ i, name: 'Event', pad: 'x'.repeat(i * 37) }]);
        const res = await request(`https://${HOST}/v2.1/track`, {
          method: 'POST',
          body,
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
        });
        const answer = (await res.body.json()) as { sha256: string };
        expect(res.statusCode).toBe(200);
        expect(answer.sha256).toBe(sha256(body));
      }
    } finally {
      await agent.close();
    }
    const exchanges = await cli
      .waitForLine(() => cli!.lines().filter((l) => l.exchange).length >= 100)
      .then(() => cli!.lines().filter((l) => l.exchange));
    expect(exchanges).toHaveLength(100);
    // One tunnel: every exchange came over the same client connection.
    expect(new Set(exchanges.map((l) => `${l.exchange.client.port}|${l.exchange.connect.target}`)).size).toBe(
      1,
    );
    expect(cli.peakRssMb()).toBeLessThan(200);
    expect(
      cli
        .stdout()
        .split('\n')
        .filter(Boolean)
        .every((l) => l.startsWith('{')),
    ).toBe(true);
    expect(await cli.stop('SIGTERM')).toBe(0);
  });

  it('refuses an invalid flag value with exit code 2 and never starts the proxy', async () => {
    cli = runCli(['start', '--port', '0', '--ca-dir', path.join(tmp.dir, 'c3'), '--log-format', 'xml']);
    const code = await new Promise<number | null>((r) => cli!.child.once('exit', r));
    expect(code).toBe(2);
    expect(cli.stderr()).toMatch(/log-format/);
    expect(cli.lines().some((l) => l.listening)).toBe(false);
  });

  it('refuses an invalid connection string at start-up with exit code 2 and a clear message', async () => {
    cli = runCli([
      'start',
      '--port',
      '0',
      '--ca-dir',
      path.join(tmp.dir, 'c2'),
      '--connection-string',
      'InstrumentationKey=not-a-guid;IngestionEndpoint=https://x/',
    ]);
    const code = await new Promise<number | null>((r) => cli!.child.once('exit', r));
    expect(code).toBe(2);
    expect(cli.stderr()).toMatch(/InstrumentationKey/);
  });
});
