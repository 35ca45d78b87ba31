import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { connectTunnel } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';

/**
 * Issue 14, item 8: a client that rejects the proxy's certificate is diagnosed when it rejects
 * it, not when the idle timeout closes the socket, and the record carries the attempt's own time.
 * Real clients that do not trust the proxy CA: curl, Python's urllib, Node's tls, Java's
 * HttpsURLConnection and Java 11+ java.net.http.HttpClient (which closes without any alert).
 *
 * No wall-clock bound: the idle timeout is 10 minutes and the wait for the record is bounded
 * by events (the client's exit, then the log line); a report that only came from the idle
 * timeout would never arrive in the test's time.
 */

const HOST = 'westus-0.in.applicationinsights.azure.com';
const URL_ = `https://${HOST}/v2.1/track`;

const JAVA_SOURCES: Record<string, string> = {
  'UrlConnectionGet.java': `
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;
public class UrlConnectionGet {
  public static void main(String[] a) {
    try {
      HttpsURLConnection c = (HttpsURLConnection) new URL(a[0]).openConnection();
      c.setConnectTimeout(20000);
      c.setReadTimeout(20000);
      System.out.println("OK " + c.getResponseCode());
    } catch (Exception e) { System.out.println("FAIL " + e); }
  }
}`,
  'HttpClientGet.java': `
import java.net.*;
import java.net.http.*;
import java.time.Duration;
public class HttpClientGet {
  public static void main(String[] a) {
    try {
      HttpClient c = HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[1]))))
        .connectTimeout(Duration.ofSeconds(20)).build();
      HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(a[0])).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
      System.out.println("OK " + r.statusCode());
    } catch (Exception e) { System.out.println("FAIL " + e); }
  }
}`,
};

const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 90_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/** Node's own TLS client through a CONNECT tunnel, trusting only the system roots. */
async function nodeClient(port: number): Promise<string> {
  const raw = await connectTunnel(port, `${HOST}:443`);
  return new Promise((resolve) => {
    const socket = tls.connect({ socket: raw, servername: HOST });
    socket.once('secureConnect', () => resolve('ACCEPTED'));
    socket.once('error', (err) => resolve(`FAIL ${err.message}`));
  });
}

describe('a client that rejects the proxy certificate is diagnosed at once (real clients)', () => {
  const tmp = tempDir('aiproxy-tlsreject-');
  let proxy: TestProxy;
  let classes: string;
  const javaOk = has('javac', '-version') && has('java', '-version');

  beforeAll(async () => {
    proxy = await startTestProxy({ idleTimeout: 600_000 });
    if (javaOk) {
      classes = path.join(tmp.dir, 'classes');
      mkdirSync(classes, { recursive: true });
      const files = Object.entries(JAVA_SOURCES).map(([name, code]) => {
        const file = path.join(tmp.dir, name);
        writeFileSync(file, code);
        return file;
      });
      const out = spawnSync('javac', ['-d', classes, ...files], { encoding: 'utf8', timeout: 120_000 });
      if (out.status !== 0) throw new Error(`javac failed: ${out.stderr}`);
    }
  }, 150_000);
  afterAll(async () => {
    await proxy?.close();
    tmp.cleanup();
  });

  const clients: [string, boolean, (port: number) => Promise<string>][] = [
    ['curl', has('curl'), (port) => run('curl', ['-sS', '-x', `http://127.0.0.1:${port}`, URL_])],
    [
      'python3 urllib',
      has('python3'),
      (port) =>
        run('python3', [
          '-c',
          `import urllib.request as u\nu.build_opener(u.ProxyHandler({'https': 'http://127.0.0.1:${port}'})).open('${URL_}', timeout=20)`,
        ]),
    ],
    ['node tls', true, nodeClient],
    [
      'Java HttpsURLConnection',
      javaOk,
      (port) =>
        run('java', [
          '-Dhttps.proxyHost=127.0.0.1',
          `-Dhttps.proxyPort=${port}`,
          '-cp',
          classes,
          'UrlConnectionGet',
          URL_,
        ]),
    ],
    [
      'Java 11+ HttpClient',
      javaOk,
      (port) => run('java', ['-cp', classes, 'HttpClientGet', URL_, String(port)]),
    ],
  ];

  for (const [name, available, client] of clients) {
    (available ? it : it.skip)(
      `${name}: rejected, recorded with its own time, diagnosed`,
      async () => {
        const before = proxy.exchanges().length;
        const launched = Date.now();
        const output = await client(proxy.port);
        const exited = Date.now();
        // The client really failed on our certificate.
        expect(output).toMatch(/certificate|CERTIFICATE|PKIX|verify/);
        const lines = await proxy.waitForExchanges(before + 1, 30_000);
        const record = lines[before];
        expect(record).toBeDefined();
        expect(record.exchange.request.method).toBe('CONNECT');
        expect(['CLIENT_TLS_REJECTED', 'CLIENT_TLS_FAILED']).toContain(record.exchange.error.kind);
        expect(record.findings.map((f: any) => f.id)).toContain('CLIENT_DOES_NOT_TRUST_PROXY_CA');
        // The attempt's own time: it began after the client was launched and before it exited.
        const started = Date.parse(record.exchange.startedAt);
        expect(started).toBeGreaterThanOrEqual(launched - 5);
        expect(started).toBeLessThanOrEqual(exited);
        // The socket is closed now, not kept until the 10-minute idle timeout.
        expect(proxy.running.server.openSockets).toBeLessThanOrEqual(1);
      },
      120_000,
    );
  }
});
