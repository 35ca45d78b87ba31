import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpsViaProxy } from '../helpers/proxy-client';
import { makeJwt, startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const INGEST = 'westus-0.in.applicationinsights.azure.com';
const LOGIN = 'login.microsoftonline.com';
const IKEY = '11111111-2222-3333-4444-555555555555';
const TENANT = '72f988bf-0000-0000-0000-000000000000';
const OID = 'aaaaaaaa-0000-0000-0000-000000000001';
const APPID = 'bbbbbbbb-0000-0000-0000-000000000002';

const now = () => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown> = {}) =>
  makeJwt({
    aud: 'https://monitor.azure.com',
    iss: `https://sts.windows.net/${TENANT}/`,
    tid: TENANT,
    oid: OID,
    appid: APPID,
    iat: now() - 60,
    nbf: now() - 60,
    exp: now() + 3600,
    ...claims,
  });

const envelopes = JSON.stringify([
  {
    ver: 1,
    name: 'Microsoft.ApplicationInsights.Request',
    time: new Date().toISOString(),
    iKey: IKEY,
    tags: { 'ai.internal.sdkVersion': 'java:3.5.0' },
    data: { baseType: 'RequestData', baseData: { ver: 2 } },
  },
]);

function answer(status: number, reason: string, body: unknown) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, reason, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
}

describe('findings end to end through the running proxy', () => {
  let upstream: TestUpstream;
  let proxy: TestProxy;
  const tmp = tempDir();

  beforeAll(async () => {
    upstream = await startUpstream([INGEST, LOGIN]);
    const caFile = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(caFile, upstream.caPem);
    proxy = await startTestProxy({
      resolve: [`${INGEST}:443=127.0.0.1:${upstream.port}`, `${LOGIN}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [caFile],
      connectionString: [`InstrumentationKey=${IKEY};IngestionEndpoint=https://${INGEST}/`],
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  async function exchangeFor(options: {
    host?: string;
    path: string;
    auth?: string;
    body?: string;
    contentType?: string;
  }) {
    const before = proxy.exchanges().length;
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
    if (options.auth) headers.authorization = options.auth;
    await httpsViaProxy({
      proxyPort: proxy.port,
      host: options.host ?? INGEST,
      path: options.path,
      method: 'POST',
      headers,
      body: options.body ?? envelopes,
      ca: proxy.caPem,
    });
    const lines = await proxy.waitForExchanges(before + 1);
    return lines[before];
  }
  const ids = (line: any) => line.findings.map((f: any) => f.id);

  it('401 without a token → TOKEN_MISSING with fix steps', async () => {
    upstream.handler = answer(401, 'Unauthorized', {
      itemsReceived: 1,
      itemsAccepted: 0,
      errors: [{ index: 0, statusCode: 401, message: 'Authentication required' }],
    });
    const line = await exchangeFor({ path: '/v2.1/track' });
    expect(ids(line)).toContain('TOKEN_MISSING');
    const finding = line.findings.find((f: any) => f.id === 'TOKEN_MISSING');
    expect(finding.guidance.fix.length).toBeGreaterThan(0);
    expect(finding.guidance.learnMore[0]).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    expect(line.level).toBe('error');
  });

  it('403 with a token lacking the role → ROLE_MISSING with tid/oid/appid evidence', async () => {
    upstream.handler = answer(403, 'Forbidden', {
      itemsReceived: 1,
      itemsAccepted: 0,
      errors: [{ index: 0, statusCode: 403, message: 'Forbidden' }],
    });
    const line = await exchangeFor({ path: '/v2.1/track', auth: `Bearer ${token()}` });
    const finding = line.findings.find((f: any) => f.id === 'ROLE_MISSING');
    expect(finding).toBeDefined();
    expect(JSON.stringify(finding.evidence)).toContain(TENANT);
    expect(JSON.stringify(finding.evidence)).toContain(OID);
    expect(JSON.stringify(finding.evidence)).toContain(APPID);
  });

  it('/v2/track answered 400 → ENTRA_ONLY_RESOURCE_V2_PATH', async () => {
    upstream.handler = answer(400, 'Authentication not supported', {
      itemsReceived: 1,
      itemsAccepted: 0,
      errors: [],
    });
    const line = await exchangeFor({ path: '/v2/track' });
    expect(ids(line)).toContain('ENTRA_ONLY_RESOURCE_V2_PATH');
  });

  it('an expired token → TOKEN_EXPIRED', async () => {
    upstream.handler = answer(401, 'Unauthorized', { itemsReceived: 1, itemsAccepted: 0, errors: [] });
    const line = await exchangeFor({
      path: '/v2.1/track',
      auth: `Bearer ${token({ exp: now() - 7200, nbf: now() - 10800, iat: now() - 10800 })}`,
    });
    expect(ids(line)).toContain('TOKEN_EXPIRED');
  });

  it('a wrong audience → TOKEN_WRONG_AUDIENCE', async () => {
    upstream.handler = answer(401, 'Unauthorized', { itemsReceived: 1, itemsAccepted: 0, errors: [] });
    const line = await exchangeFor({
      path: '/v2.1/track',
      auth: `Bearer ${token({ aud: 'https://management.azure.com' })}`,
    });
    expect(ids(line)).toContain('TOKEN_WRONG_AUDIENCE');
  });

  it('a token endpoint 400 with AADSTS700016 → ENTRA_APP_NOT_FOUND', async () => {
    const description = `AADSTS700016: Application with identifier '${APPID}' was not found in the directory '${TENANT}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2026-11-26 20:00:00Z`;
    upstream.handler = answer(400, 'Bad Request', {
      error: 'unauthorized_client',
      error_description: description,
      error_codes: [700016],
      timestamp: '2026-11-26 20:00:00Z',
      trace_id: '0000',
      correlation_id: '1111',
      error_uri: 'https://login.microsoftonline.com/error?code=700016',
    });
    const line = await exchangeFor({
      host: LOGIN,
      path: `/${TENANT}/oauth2/v2.0/token`,
      contentType: 'application/x-www-form-urlencoded',
      body: `client_id=${APPID}&scope=https%3A%2F%2Fmonitor.azure.com%2F.default&client_secret=super-secret-value-123&grant_type=client_credentials`,
    });
    expect(ids(line)).toContain('ENTRA_APP_NOT_FOUND');
    expect(proxy.raw()).not.toContain('super-secret-value-123');
  });

  it('a healthy 200 has no warning or error findings, and nothing secret is logged', async () => {
    upstream.handler = answer(200, 'OK', { itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [] });
    const t = token();
    const line = await exchangeFor({ path: '/v2.1/track', auth: `Bearer ${t}` });
    expect(line.findings.filter((f: any) => f.severity !== 'info')).toEqual([]);
    expect(line.level).toBe('info');
    expect(proxy.raw()).not.toContain(t);
    expect(proxy.raw()).not.toContain(IKEY);
  });
});
