import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli-process';
import { plainViaProxy } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';

const REPO = path.join(__dirname, '..', '..');

function sh(script: string, cwd: string, timeoutMs = 120_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile('bash', ['-c', script], { cwd, timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as any).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

/**
 * `start --rehearse` as a new user meets it: the proxy and the fake start already wired, the
 * instructions are printed, and following them literally (the printed text, run by bash from the
 * directory it was printed in) makes a real JVM's telemetry come back as an annotated 401.
 */
describe('start --rehearse: one step, instructions that run as printed', () => {
  const tmp = tempDir('aiproxy-rehearse-');
  let cli: CliProcess;
  let classes: string;

  beforeAll(async () => {
    classes = path.join(tmp.dir, 'classes');
    const javac = await sh(
      `javac -d '${classes}' '${path.join(REPO, 'docker/test-app/TelemetryApp.java')}'`,
      REPO,
    );
    if (javac.code !== 0) throw new Error(javac.out);
    // a connection string left in the shell must not be what the rehearsal checks against
    cli = runCli(
      ['start', '--rehearse', '--port', '0', '--ca-dir', path.join(tmp.dir, 'certs'), '--log-format', 'json'],
      {
        APPLICATIONINSIGHTS_CONNECTION_STRING:
          'InstrumentationKey=99999999-8888-7777-6666-555555555555;IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/',
      },
    );
    await cli.waitForLine((l) => String(l.msg).startsWith('appinsights-auth-proxy listening'), 30_000);
    const until = Date.now() + 10_000;
    while (!cli.stderr().includes('AZURE_CLIENT_SECRET') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
  }, 60_000);

  afterAll(async () => {
    await cli?.stop();
    tmp.cleanup();
  });

  it("prints the app's settings, the fake Entra's credentials and commands for this clone (node dist/cli/main.js)", () => {
    const text = cli.stderr();
    expect(text).toContain("export APPLICATIONINSIGHTS_CONNECTION_STRING='InstrumentationKey=");
    expect(text).toMatch(/^node dist\/cli\/main\.js ca truststore --ca-dir /m);
    expect(text).toMatch(
      /^export JAVA_TOOL_OPTIONS='-Dhttps\.proxyHost=127\.0\.0\.1 -Dhttps\.proxyPort=\d+ /m,
    );
    expect(text).toMatch(/client id [0-9a-f-]{36}/);
    expect(text).toMatch(/client secret \S+/);
    expect(text).not.toMatch(/^appinsights-auth-proxy /m);
    const banner = cli.lines().find((l) => String(l.msg).startsWith('appinsights-auth-proxy listening'));
    expect(banner.connectionStrings.map((c: any) => c.iKey)).toEqual([
      '00000000-****-****-****-********0001',
    ]);
  });

  it('the printed lines, run by bash as printed, then a JVM app from that shell: the proxy logs the annotated 401', async () => {
    const script = path.join(tmp.dir, 'follow.sh');
    writeFileSync(script, `set -e\n${cli.stderr()}\nTELEMETRY_COUNT=1 java -cp '${classes}' TelemetryApp\n`);
    const ran = await sh(`bash '${script}'`, REPO);
    expect(ran.out).toContain('Picked up JAVA_TOOL_OPTIONS');
    expect(ran.out).toMatch(/status=401 usingProxy=true/);
    expect(ran.code).toBe(0);
    const line = await cli.waitForLine((l) => l.exchange?.response?.status === 401, 20_000);
    expect(line.msg).toMatch(/^POST westus-0\.in\.applicationinsights\.azure\.com\/v2\.1\/track → 401/);
    expect(line.findings.map((f: any) => f.id)).toContain('TOKEN_MISSING');
    expect(line.exchange.request.headers['user-agent']).toMatch(/^Java\//);
    expect(line.exchange.upstream.address).toMatch(/^127\.0\.0\.1:\d+$/);
    // and /metrics on the same port counted it
    const port = Number(/-Dhttps\.proxyPort=(\d+)/.exec(cli.stderr())![1]);
    const metrics = (await plainViaProxy(port, '/metrics')).body.toString();
    expect(metrics).toMatch(
      /aiproxy_findings_total\{finding="TOKEN_MISSING",severity="error",host="westus-0\.in\.applicationinsights\.azure\.com"\} [1-9]/,
    );
  }, 150_000);
});
