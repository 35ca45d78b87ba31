import net from 'node:net';
import path from 'node:path';
import { type CliProcess, runCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * `start --host ::1`: the start line said "listening on ::1:PORT", which no client can use as
 * written; it now brackets an IPv6 address, as URLs do (the built CLI on the loopback address).
 */
const tmp = tempDir('aiproxy-ipv6-');
let cli: CliProcess | undefined;
afterAll(async () => {
  await cli?.stop('SIGKILL');
  tmp.cleanup();
});

it('says [::1]:PORT in its start line, and the proxy answers there', async () => {
  cli = runCli([
    'start',
    '--host',
    '::1',
    '--port',
    '0',
    '--ca-dir',
    path.join(tmp.dir, 'certs'),
    '--log-format',
    'json',
  ]);
  const line = await cli.waitForLine((l) => typeof l.listening === 'string', 30_000);
  expect(line.listening).toMatch(/^\[::1\]:\d+$/);
  expect(line.msg).toContain(`listening on ${line.listening};`);
  const port = Number(String(line.listening).split(':').pop());
  const status = await new Promise<string>((resolve) => {
    const s = net.connect(port, '::1', () =>
      s.write('GET /healthz HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n'),
    );
    let got = '';
    s.on('data', (c: Buffer) => (got += c.toString('latin1')));
    s.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    s.on('error', () => resolve(''));
    s.setTimeout(10_000, () => s.destroy());
  });
  expect(status).toBe('HTTP/1.1 200 OK');
}, 60_000);
