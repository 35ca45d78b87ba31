import { spawn } from 'node:child_process';
import path from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli-process';
import { httpsViaProxy, plainViaProxy } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';

const REPO = path.join(__dirname, '..', '..');

/** `fake-ingestion` tells people how to point the proxy at it; the printed command runs as printed. */
describe('fake-ingestion: the start command it prints', () => {
  const tmp = tempDir('aiproxy-fake-hint-');
  let fake: CliProcess;
  afterAll(async () => {
    await fake?.stop();
    tmp.cleanup();
  });

  it('runs as printed (bash, from the same directory) and the proxy it starts reaches the fake', async () => {
    fake = runCli(['fake-ingestion', '--port', '0', '--ca-dir', path.join(tmp.dir, 'fake-ca')]);
    const listening = await fake.waitForLine((l) => l.event === 'fake.listening', 20_000);
    const until = Date.now() + 10_000;
    while (!fake.stderr().includes('client secret') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    const command = fake
      .stderr()
      .split('\n')
      .find((l) => !l.startsWith('#') && l.trim())!;
    expect(command).toBe(
      `node dist/cli/main.js start --resolve '*:443=127.0.0.1:${listening.port}' --upstream-ca ${path.join(tmp.dir, 'fake-ca', 'ca.pem')}`,
    );
    expect(fake.stderr()).toMatch(/client id [0-9a-f-]{36}, client secret \S+/);

    // the command exactly as printed; only the environment picks a free port and a temporary CA
    const proxy = spawn('bash', ['-c', `exec ${command}`], {
      cwd: REPO,
      env: {
        ...process.env,
        AIPROXY_PORT: '0',
        AIPROXY_CA_DIR: path.join(tmp.dir, 'proxy-ca'),
        AIPROXY_LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proxy.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`proxy did not start: ${out}`)), 30_000);
        proxy.stdout.on('data', () => {
          const m = /"listening":"127\.0\.0\.1:(\d+)"/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const ca = (await plainViaProxy(port, '/ca.pem')).body.toString();
      const res = await httpsViaProxy({
        proxyPort: port,
        host: 'westus-0.in.applicationinsights.azure.com',
        path: '/v2.1/track',
        method: 'POST',
        body: '[]',
        ca,
      });
      expect(res.status).toBe(401); // the fake (Entra-only) answered: no token
      expect(res.reason).toMatch(/please provide the valid authorization token/);
    } finally {
      proxy.kill('SIGTERM');
      await new Promise((r) => proxy.once('exit', r));
    }
  }, 90_000);
});
