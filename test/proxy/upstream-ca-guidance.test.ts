import path from 'node:path';
import pino from 'pino';
import { startFakeServices, type FakeServices } from '../../src/fake';
import { httpsViaProxy } from '../helpers/proxy-client';
import { startTestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/** The fake has its own CA: untrusted, the finding's fix names our flag; trusted with it, the fake answers. */
describe("the fake's certificate and --upstream-ca", () => {
  const tmp = tempDir('aiproxy-upstream-ca-');
  let fake: FakeServices;
  beforeAll(async () => {
    fake = await startFakeServices({ caDir: path.join(tmp.dir, 'fake'), logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await fake?.close();
    tmp.cleanup();
  });

  async function post(upstreamCa: string[]) {
    const proxy = await startTestProxy({ resolve: [`*:443=127.0.0.1:${fake.port}`], upstreamCa });
    try {
      const res = await httpsViaProxy({
        proxyPort: proxy.port,
        host: HOST,
        path: '/v2.1/track',
        method: 'POST',
        body: '[]',
        ca: proxy.caPem,
      });
      const [line] = await proxy.waitForExchanges(1);
      return { status: res.status, line };
    } finally {
      await proxy.close();
    }
  }

  it('not trusted: 502 and UPSTREAM_TLS_FAILED, whose fix names --upstream-ca (not NODE_EXTRA_CA_CERTS)', async () => {
    const { status, line } = await post([]);
    expect(status).toBe(502);
    const finding = line.findings.find((f: any) => f.id === 'UPSTREAM_TLS_FAILED');
    expect(finding.guidance.fix.join(' ')).toContain('--upstream-ca');
    expect(finding.guidance.fix.join(' ')).not.toContain('NODE_EXTRA_CA_CERTS');
  });

  it("trusted with --upstream-ca <the fake's ca.pem>: the fake answers (401: no token, Entra-only)", async () => {
    const { status, line } = await post([fake.ca!.certPath]);
    expect(status).toBe(401);
    expect(line.findings.map((f: any) => f.id)).toContain('TOKEN_MISSING');
  });
});
