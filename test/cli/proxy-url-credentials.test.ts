import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { connectAnswer } from '../helpers/proxy-client';
import { CLI, runCli } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';

/**
 * The user and password of an --upstream-proxy (or check --via) URL are percent-decoded before
 * they go into Proxy-Authorization. A password with a bare % ("50%off") used to pass the flag
 * check and then fail every connection with "URI malformed" (check --via: exit 1 with those
 * words); it now exits 2 naming the flag, the password not shown. Encoded special characters
 * reach the upstream proxy decoded (the built CLI, a real upstream proxy socket).
 */

const tmp = tempDir('aiproxy-proxy-creds-');
afterAll(() => tmp.cleanup());
const SECRET = '50%offSup3r';
const CS = 'InstrumentationKey=11111111-2222-3333-4444-555555555555';

describe('a proxy URL whose credentials are not valid percent-encoding', () => {
  it.each([
    ['--upstream-proxy', ['start', `--ca-dir=${path.join(tmp.dir, 'certs')}`, '--upstream-proxy']],
    ['--via', ['check', '--connection-string', CS, '--via']],
  ])('%s exits 2 naming the flag', (flag, args) => {
    const run = spawnSync(process.execPath, [CLI, ...args, `http://u:${SECRET}@127.0.0.1:9`], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${flag} "http://[credentials]@127.0.0.1:9": the password is not valid`);
    expect(run.stderr).toContain('%25');
    expect(run.stderr).not.toContain(SECRET);
    expect(run.stderr).not.toMatch(/URI malformed/);
  });
});

describe('percent-encoded proxy credentials', () => {
  it('reach the upstream proxy decoded in Proxy-Authorization', async () => {
    const seen: string[] = [];
    const upstream = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', (c: Buffer) => {
        seen.push(c.toString('latin1'));
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upstreamPort = (upstream.address() as net.AddressInfo).port;
    const cli = runCli([
      'start',
      '--port=0',
      `--ca-dir=${path.join(tmp.dir, 'certs2')}`,
      '--log-format=json',
      '--summary=false',
      '--upstream-proxy',
      `http://us%40er:p%3A%25%C3%A9ss@127.0.0.1:${upstreamPort}`,
    ]);
    try {
      const port = await cli.listeningPort(15_000);
      const answer = await connectAnswer(port, 'example.test:443');
      expect(answer).toMatch(/^HTTP\/1\.1 502 /);
      expect(answer).toContain('upstream proxy answered CONNECT with 403');
      expect(seen).toHaveLength(1);
      const auth = /proxy-authorization: Basic (\S+)/i.exec(seen[0]!)?.[1];
      expect(Buffer.from(auth ?? '', 'base64').toString('utf8')).toBe('us@er:p:%éss');
    } finally {
      await cli.stop();
      upstream.close();
    }
  });
});
