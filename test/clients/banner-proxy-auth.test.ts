/**
 * The start banner's `env` is what an app is told to use. With --proxy-auth the proxy answers 407
 * to any CONNECT without credentials, so the printed proxy URL must say where they go.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../certs/java';
import { shellWords } from '../cli-ca/run-cli';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const CREDENTIALS = 'ops:p@ss';

describe('start --proxy-auth: the banner env, with the credentials filled in, works', () => {
  const tmp = tempDir('aiproxy-banner-auth-');
  let upstream: TestUpstream;
  let proxy: TestProxy;

  beforeAll(async () => {
    upstream = await startUpstream([HOST]);
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    proxy = await startTestProxy({
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
      proxyAuth: CREDENTIALS,
    });
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
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
