import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CLI } from '../helpers/cli-process';
import { tempDir } from '../helpers/tmp';
import { advertised } from '../../src/cli/advertise';
import { cli } from './run-cli';

/** The fix a message prints is a command to paste: a CA directory with a space in it stays one word. */
describe('the ca init a missing CA suggests', () => {
  it('can be pasted as it is printed, whatever the directory is called', async () => {
    const tmp = tempDir('aiproxy-paste-');
    try {
      const dir = path.join(tmp.dir, "my certs (team's)");
      const missing = await cli(['ca', 'show', '--ca-dir', dir]);
      expect(missing.code).toBe(2);
      const suggested = /run "(appinsights-auth-proxy ca init --ca-dir [^"]+)"/.exec(missing.stderr)?.[1];
      expect(suggested).toBeDefined();
      // The printed command, through a real shell, with our CLI in place of the bin name.
      const pasted = spawnSync(
        'bash',
        ['-c', suggested!.replace('appinsights-auth-proxy', `"${process.execPath}" "${CLI}"`)],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(pasted.status).toBe(0);
      expect(existsSync(path.join(dir, 'ca.pem'))).toBe(true);
      // A plain path stays plain.
      expect((await cli(['ca', 'show', '--ca-dir', '/no/such/ca'])).stderr).toContain(
        'ca init --ca-dir /no/such/ca"',
      );
    } finally {
      tmp.cleanup();
    }
  });
});

/**
 * The Java settings printed for a CA directory with a space (and a quote) in its name: pasted as
 * printed, a real JVM starts and reads the truststore path whole. The JVM splits JAVA_TOOL_OPTIONS
 * at white space unless a word is quoted, and a shell splits a command line the same way.
 */
describe('the Java settings printed for a CA directory with a space in its name', () => {
  const tmp = tempDir('aiproxy-paste-java-');
  const dir = path.join(tmp.dir, "my certs (team's)");
  const store = path.join(dir, 'truststore.p12');
  afterAll(() => tmp.cleanup());

  /** Runs the pasted line, then a JVM printing its properties; its stderr, or the failure. */
  function jvmAfter(pasted: string, javaArgs = ''): { status: number | null; stderr: string } {
    const r = spawnSync(
      'bash',
      ['-c', `${pasted}\nexec java ${javaArgs} -XshowSettings:properties -version`],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    return { status: r.status, stderr: r.stderr };
  }

  it('ca setup java: the exported JAVA_TOOL_OPTIONS', async () => {
    expect((await cli(['ca', 'init', '--ca-dir', dir])).code).toBe(0);
    const printed = await cli(['ca', 'setup', 'java', '--ca-dir', dir]);
    const line = printed.stdout.split('\n').find((l) => l.startsWith('export JAVA_TOOL_OPTIONS='));
    const jvm = jvmAfter(line!);
    expect(jvm.stderr).toContain(`javax.net.ssl.trustStore = ${store}\n`);
    expect(jvm.status).toBe(0);
  }, 90_000);

  it('ca truststore: the JVM flags it prints, on a java command line', async () => {
    const made = await cli(['ca', 'truststore', '--ca-dir', dir, '--out', store]);
    expect(made.code).toBe(0);
    const flags = /^JVM flags: (.*)$/m.exec(made.stdout)![1]!;
    const jvm = jvmAfter('', flags);
    expect(jvm.stderr).toContain(`javax.net.ssl.trustStore = ${store}\n`);
    expect(jvm.status).toBe(0);
  }, 90_000);

  it("start's banner: its java flags and its env prefix", () => {
    const shown = advertised({ listenHost: '127.0.0.1', port: 8888, caDir: dir });
    const jvm = jvmAfter('', shown.javaFlags);
    expect(jvm.stderr).toContain(`javax.net.ssl.trustStore = ${store}\n`);
    expect(jvm.status).toBe(0);
    const env = spawnSync('bash', ['-c', `${shown.env} printenv NODE_EXTRA_CA_CERTS`], { encoding: 'utf8' });
    expect(env.stdout).toBe(`${path.join(dir, 'ca.pem')}\n`);
  }, 90_000);
});

describe('ca setup for a proxy reached at an IPv6 address', () => {
  it('prints proxy URLs with the address in brackets, and the printed curl reaches it', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const runtime of ['node', 'python', 'dotnet']) {
        const printed = await cli([
          'ca',
          'setup',
          runtime,
          '--proxy-host',
          '::1',
          '--proxy-port',
          String(port),
        ]);
        const url = /^export HTTPS_PROXY='([^']+)'/m.exec(printed.stdout)![1]!;
        expect(new URL(url).host).toBe(`[::1]:${port}`);
      }
      const curl = await cli(['ca', 'setup', 'curl', '--proxy-host', '::1', '--proxy-port', String(port)]);
      const health = curl.stdout.split('\n').find((l) => l.startsWith('curl http'))!;
      // Not spawnSync: the server answering it runs in this process.
      const r = await promisify(execFile)('bash', ['-c', `${health} -sS --max-time 10`], { timeout: 20_000 });
      expect(r.stdout).toBe('ok');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
