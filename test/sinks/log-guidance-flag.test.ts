import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ProxyAgent, request } from 'undici';
import { isGuidanceRef } from '../../src/diagnosis/guidance-ref';
import { type CliProcess, runCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/** `start --log-guidance`, as a process: what stdout and the log file hold for a repeated finding. */
describe('start --log-guidance', () => {
  let upstream: TestUpstream;
  let cli: CliProcess | undefined;
  const tmp = tempDir('aiproxy-log-guidance-');
  const caFile = path.join(tmp.dir, 'upstream-ca.pem');
  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    // Entra-only ingestion without a token: TOKEN_MISSING on every request.
    upstream.handler = (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          itemsReceived: 1,
          itemsAccepted: 0,
          errors: [{ index: 0, statusCode: 401, message: 'Authentication required' }],
        }),
      );
    };
    writeFileSync(caFile, upstream.caPem);
  });
  afterEach(async () => {
    await cli?.stop('SIGKILL');
    cli = undefined;
  });
  afterAll(async () => {
    await upstream?.close();
    tmp.cleanup();
  });

  async function run(mode: string[], name: string): Promise<{ stdout: any[]; file: any[] }> {
    const logFile = path.join(tmp.dir, `${name}.log`);
    cli = runCli([
      'start',
      '--port',
      '0',
      '--ca-dir',
      path.join(tmp.dir, 'certs'),
      '--log-format',
      'json',
      '--log-file',
      logFile,
      '--upstream-ca',
      caFile,
      '--resolve',
      `${HOST}:443=127.0.0.1:${upstream.port}`,
      ...mode,
    ]);
    const startup = await cli.waitForLine((l) => l.listening);
    const port = Number(String(startup.listening).split(':').pop());
    const agent = new ProxyAgent({
      uri: `http://127.0.0.1:${port}`,
      requestTls: { ca: readFileSync(startup.ca.path, 'utf8') },
    });
    try {
      for (let i = 0; i < 3; i += 1) {
        const res = await request(`https://${HOST}/v2.1/track`, {
          method: 'POST',
          body: JSON.stringify([{ i, name: 'Event' }]),
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
        });
        await res.body.text();
        expect(res.statusCode).toBe(401);
      }
    } finally {
      await agent.close();
    }
    await cli.waitForLine(() => cli!.lines().filter((l) => l.exchange).length >= 3);
    expect(await cli.stop('SIGTERM')).toBe(0);
    const stdout = cli.lines().filter((l) => l.exchange);
    const file = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((l) => l.exchange);
    return { stdout, file };
  }

  const missing = (line: any) => line.findings.find((f: any) => f.id === 'TOKEN_MISSING');

  it('default (first): stdout and the file hold the full text once, then references', async () => {
    const { stdout, file } = await run([], 'first');
    for (const lines of [stdout, file]) {
      expect(lines).toHaveLength(3);
      expect(isGuidanceRef(missing(lines[0]).guidance)).toBe(false);
      expect(missing(lines[0]).guidance.fix.length).toBeGreaterThan(0);
      for (const line of lines.slice(1)) expect(missing(line).guidance).toEqual({ ref: 'TOKEN_MISSING' });
    }
  });

  it('full: every line carries the full text', async () => {
    const { stdout, file } = await run(['--log-guidance', 'full'], 'full');
    for (const lines of [stdout, file]) {
      expect(lines).toHaveLength(3);
      for (const line of lines)
        expect(JSON.stringify(missing(line).guidance)).toBe(JSON.stringify(missing(lines[0]).guidance));
      expect(missing(lines[2]).guidance.why).toEqual(expect.any(String));
    }
  });

  it('an unknown value is a usage error', async () => {
    cli = runCli(['start', '--port', '0', '--ca-dir', path.join(tmp.dir, 'c2'), '--log-guidance', 'some']);
    expect(await new Promise((r) => cli!.child.on('exit', r))).not.toBe(0);
    expect(cli.stderr()).toMatch(/log-guidance/);
  });
});
