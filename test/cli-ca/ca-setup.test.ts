import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { compileJavaPrograms, java, run } from '../certs/java';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { cli, shellWords } from './run-cli';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const CURL_HOST = 'dc.services.visualstudio.com';

/**
 * Follows printed instructions line by line, as a user pasting them would: comments are skipped,
 * `appinsights-auth-proxy ...` runs the CLI, `export NAME=value` sets a variable, `curl ...` runs curl.
 * Any other line fails the test (so nothing printed goes unchecked).
 */
async function follow(text: string): Promise<{ env: Record<string, string>; outputs: string[] }> {
  const env: Record<string, string> = {};
  const outputs: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const words = shellWords(trimmed);
    if (words[0] === 'appinsights-auth-proxy') {
      const r = await cli(words.slice(1));
      if (r.code !== 0) throw new Error(`"${trimmed}" failed: ${r.stderr}`);
      outputs.push(r.stdout);
    } else if (words[0] === 'export') {
      const [name, ...value] = words[1]!.split('=');
      env[name!] = value.join('=');
    } else if (words[0] === 'curl') {
      const r = await run('bash', ['-c', `${trimmed} --max-time 10 -sS -w ' HTTP:%{http_code}'`]);
      outputs.push(r.stdout + r.stderr);
    } else {
      throw new Error(`unexpected instruction line: ${trimmed}`);
    }
  }
  return { env, outputs };
}

describe('ca setup <runtime>: the printed instructions, followed literally, work', () => {
  const tmp = tempDir('aiproxy-setup-');
  let upstream: TestUpstream;
  let proxy: TestProxy;
  let classes: string;

  beforeAll(async () => {
    upstream = await startUpstream([HOST, CURL_HOST]);
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    proxy = await startTestProxy({
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`, `${CURL_HOST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
    });
    classes = await compileJavaPrograms(tmp.dir);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it('java: make the truststore, export JAVA_TOOL_OPTIONS, and a JVM reaches the service through the proxy', async () => {
    const printed = await cli([
      'ca',
      'setup',
      'java',
      '--ca-dir',
      proxy.caDir,
      '--proxy-port',
      String(proxy.port),
    ]);
    expect(printed.code).toBe(0);
    // The traps and the undo are part of the text.
    expect(printed.stdout).toContain('http.nonProxyHosts');
    expect(printed.stdout).toContain('169.254.169.254');
    expect(printed.stdout).toMatch(/"proxy": \{\n#\s+"host": "127.0.0.1",\n#\s+"port": \d+/);
    expect(printed.stdout).toContain('# Undo: unset JAVA_TOOL_OPTIONS');
    const { env, outputs } = await follow(printed.stdout);
    expect(outputs[0]).toContain(`wrote ${path.join(proxy.caDir, 'truststore.p12')}`);
    expect(env.JAVA_TOOL_OPTIONS).toContain(`-Dhttps.proxyPort=${proxy.port}`);
    const before = proxy.exchanges().length;
    const r = await java(classes, 'HttpsGet', [`https://${HOST}/v2.1/track`], env.JAVA_TOOL_OPTIONS!);
    expect(r.stdout).toBe(`OK https://${HOST}/v2.1/track 200\n`);
    const lines = await proxy.waitForExchanges(before + 1);
    expect(lines[before].exchange.request).toMatchObject({ host: HOST, path: '/v2.1/track' });
  }, 120_000);

  it('curl: the printed command goes through the proxy and trusts the CA', async () => {
    const printed = await cli([
      'ca',
      'setup',
      'curl',
      '--ca-dir',
      proxy.caDir,
      '--proxy-port',
      String(proxy.port),
    ]);
    const { outputs } = await follow(printed.stdout);
    expect(outputs[0]).toMatch(/HTTP:200$/);
    expect(outputs[1]).toMatch(/"status":"ok"[^]* HTTP:200$/);
  }, 120_000);

  it('node, python, dotnet: real paths, the proxy URL and the CA variables of each runtime, and an undo', async () => {
    const ca = path.join(proxy.caDir, 'ca.pem');
    const expected: Record<string, string[]> = {
      node: [
        'export HTTPS_PROXY=',
        `export NODE_EXTRA_CA_CERTS='${ca}'`,
        'https_proxy',
        'NO_PROXY=169.254.169.254',
      ],
      python: ['export HTTPS_PROXY=', 'REQUESTS_CA_BUNDLE=', 'SSL_CERT_FILE=', `'${ca}'`],
      dotnet: ['export HTTPS_PROXY=', 'SSL_CERT_FILE=', 'update-ca-certificates', `'${ca}'`],
    };
    for (const [runtime, needles] of Object.entries(expected)) {
      const r = await cli([
        'ca',
        'setup',
        runtime,
        '--ca-dir',
        proxy.caDir,
        '--proxy-port',
        String(proxy.port),
        '--proxy-auth',
        'ops:p@ss',
      ]);
      expect(r.code).toBe(0);
      for (const needle of [...needles, `http://ops:p%40ss@127.0.0.1:${proxy.port}`, '# Undo: unset']) {
        expect([runtime, r.stdout.includes(needle)]).toEqual([runtime, true]);
      }
    }
  });

  it('without a CA yet, the instructions start by saying how to make one', async () => {
    const empty = path.join(tmp.dir, 'none');
    const r = await cli(['ca', 'setup', 'node', '--ca-dir', empty]);
    expect(r.stdout.split('\n')[0]).toBe(
      `# No CA in ${empty} yet: start the proxy once, or run: appinsights-auth-proxy ca init --ca-dir ${empty}`,
    );
  });

  it.each(['abc', '99999', '80.5', '0', ''])(
    '--proxy-port %j is refused (exit 2) instead of printing a proxy URL with a broken port',
    async (port) => {
      const r = await cli([
        'ca',
        'setup',
        'node',
        '--ca-dir',
        path.join(tmp.dir, 'none'),
        '--proxy-port',
        port,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--proxy-port "${port}": expected a whole number from 1 to 65535`);
      expect(r.stdout).toBe('');
    },
  );
});
