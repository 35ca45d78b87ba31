import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli-process';
import { httpsViaProxy } from '../helpers/proxy-client';
import { startTestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

/**
 * --upstream-ca (AIPROXY_UPSTREAM_CA in the rehearsal files) took any file: an empty one, garbage
 * or a private key started the proxy without a word, and a DER certificate (a Windows .cer
 * export) was no certificate to Node, so every upstream handshake failed far from the flag.
 * A file without a certificate now exits 2 naming it; DER is read as the certificate it is.
 */
const INGEST = 'westus-0.in.applicationinsights.azure.com';
const tmp = tempDir('aiproxy-upstream-ca-files-');
// Made at run time: no private key is kept in the repository.
const PRIVATE_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const KEY_BODY = PRIVATE_KEY.split('\n')[1]!;
afterAll(() => tmp.cleanup());

describe('--upstream-ca files', () => {
  it.each([
    ['an empty file', ''],
    ['garbage', 'not a certificate\n'],
    ['a private key', PRIVATE_KEY],
  ])('%s: exit 2 naming the file, its text not quoted', (name, text) => {
    const file = path.join(tmp.dir, `${name.replace(/\W/g, '-')}.pem`);
    writeFileSync(file, text);
    const run = spawnSync(
      process.execPath,
      [
        CLI,
        'start',
        '--port=0',
        `--ca-dir=${path.join(tmp.dir, 'certs')}`,
        '--log-format=json',
        '--summary=false',
      ],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, AIPROXY_UPSTREAM_CA: file } },
    );
    expect({ code: run.status, stderr: run.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining(`--upstream-ca ${file}: not a certificate`),
    });
    expect(run.stderr).not.toContain(KEY_BODY.slice(0, 24));
  });

  describe('a DER certificate', () => {
    let upstream: TestUpstream;
    beforeAll(async () => {
      upstream = await startUpstream([INGEST]);
    });
    afterAll(async () => {
      await upstream?.close();
    });

    it('is trusted upstream like its PEM', async () => {
      const der = path.join(tmp.dir, 'upstream-ca.cer');
      writeFileSync(der, new X509Certificate(upstream.caPem).raw);
      const proxy = await startTestProxy({
        resolve: [`${INGEST}:443=127.0.0.1:${upstream.port}`],
        upstreamCa: [der],
      });
      try {
        const res = await httpsViaProxy({
          proxyPort: proxy.port,
          host: INGEST,
          path: '/v2.1/track',
          ca: proxy.caPem,
        });
        expect(res.status).toBe(200);
        expect(upstream.seen.length).toBe(1);
      } finally {
        await proxy.close();
      }
    });
  });
});
