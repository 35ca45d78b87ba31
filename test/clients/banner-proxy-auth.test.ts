/**
 * The start banner's `env` is what an app is told to use. With --proxy-auth the proxy answers 407
 * to any CONNECT without credentials, so the printed proxy URL must say where they go.
 */
import { run } from '../certs/java';
import { shellWords } from '../cli-ca/run-cli';
import type { TestProxy } from '../helpers/proxy-harness';
import { type ProxiedUpstream, startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const CREDENTIALS = 'ops:p@ss';

describe('start --proxy-auth: the banner env, with the credentials filled in, works', () => {
  let setup: ProxiedUpstream;
  let proxy: TestProxy;
  beforeAll(async () => {
    setup = await startProxiedUpstream(HOST, { proxyAuth: CREDENTIALS });
    proxy = setup.proxy;
  }, 60_000);
  afterAll(async () => {
    await setup?.close();
  });

  it('shows <user>:<password> in the proxy URL, says so in a warning, and never prints the password', async () => {
    const banner = proxy.lines().find((l) => l.env);
    expect(banner.env).toContain("HTTPS_PROXY='http://<user>:<password>@127.0.0.1:");
    expect(proxy.raw()).toContain('in place of <user>:<password>');
    expect(proxy.raw()).not.toContain('p@ss');

    // The user's step: their credentials (URL-encoded) in place of <user>:<password>, then a client that
    // reads HTTPS_PROXY (curl does) and trusts the CA the same line names.
    const filled = String(banner.env).replace(
      '<user>:<password>',
      CREDENTIALS.split(':').map(encodeURIComponent).join(':'),
    );
    const env = Object.fromEntries(shellWords(filled).map((w) => w.split(/=(.*)/s).slice(0, 2)));
    const r = await run(
      'curl',
      [
        '-sS',
        '--max-time',
        '10',
        '--cacert',
        env.NODE_EXTRA_CA_CERTS,
        '-d',
        '[]',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `https://${HOST}/v2.1/track`,
      ],
      { PATH: process.env.PATH, HTTPS_PROXY: env.HTTPS_PROXY },
      30_000,
    );
    expect(r.stdout + r.stderr).toBe('200');
  }, 60_000);
});
