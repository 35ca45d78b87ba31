import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ProxyAgent, request } from 'undici';
import { type CliProcess, runCli } from '../helpers/cli-process';
import { connectTunnel } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const LOGIN = 'login.microsoftonline.com';

/**
 * `start` as a process, with the login host left out of the scope: the identity client's token
 * request goes through the proxy in a tunnel, and TOKEN_REQUEST_NOT_SEEN must not go on claiming
 * that no token request went through the proxy.
 */
describe('TOKEN_REQUEST_NOT_SEEN and a tunnelled token request', () => {
  let upstream: TestUpstream;
  let login: net.Server;
  let cli: CliProcess | undefined;
  const tmp = tempDir('aiproxy-traffic-tunnel-');
  const caFile = path.join(tmp.dir, 'upstream-ca.pem');
  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    upstream.handler = (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 0, errors: [] }));
    };
    writeFileSync(caFile, upstream.caPem);
    // Stands in for the login host: it only has to accept the tunnel's TCP connection.
    login = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => login.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await cli?.stop('SIGKILL');
    await upstream?.close();
    await new Promise((resolve) => login.close(resolve));
    tmp.cleanup();
  });

  it('fires for a refused batch without a token, and clears when a tunnel to the login host closes', async () => {
    const loginPort = (login.address() as net.AddressInfo).port;
    cli = runCli([
      'start',
      '--port',
      '0',
      '--ca-dir',
      path.join(tmp.dir, 'certs'),
      '--log-format',
      'json',
      '--upstream-ca',
      caFile,
      '--no-intercept',
      LOGIN,
      '--resolve',
      `${HOST}:443=127.0.0.1:${upstream.port}`,
      '--resolve',
      `${LOGIN}:443=127.0.0.1:${loginPort}`,
    ]);
    const port = await cli.listeningPort();
    const agent = new ProxyAgent({
      uri: `http://127.0.0.1:${port}`,
      requestTls: { ca: readFileSync(path.join(tmp.dir, 'certs', 'ca.pem'), 'utf8') },
    });
    try {
      const res = await request(`https://${HOST}/v2.1/track`, {
        method: 'POST',
        body: JSON.stringify([{ name: 'Event', iKey: '11111111-2222-3333-4444-555555555555' }]),
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
      });
      await res.body.text();
      expect(res.statusCode).toBe(401);
    } finally {
      await agent.close();
    }
    await cli.waitForLine(
      (l) => l.traffic?.state === 'fired' && l.findings?.[0]?.id === 'TOKEN_REQUEST_NOT_SEEN',
    );

    const tunnel = await connectTunnel(port, `${LOGIN}:443`);
    await new Promise((resolve) => tunnel.on('close', resolve).end());
    const clearedLine = await cli.waitForLine(
      (l) => l.traffic?.state === 'cleared' && l.findings?.[0]?.id === 'TOKEN_REQUEST_NOT_SEEN',
    );
    expect(clearedLine.msg).toContain('a token request went through the proxy');
    expect(await cli.stop('SIGTERM')).toBe(0);
  });
});
