import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { diagnose } from '../../src/diagnosis';
import { convertLogFileToHar } from '../../src/sinks/har-from-log';
import { HarFileSink } from '../../src/sinks/har-sink';
import { httpsViaProxy } from '../helpers/proxy-client';
import { makeJwt, startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';
import { harSchemaErrors } from './har-schema';

const HOST = 'westus-0.in.applicationinsights.azure.com';
const LOGIN = 'login.microsoftonline.com';
const IKEY = '7b3d1c2e-9f8a-4b6c-8d7e-1a2b3c4d5e6f';
const CLIENT_SECRET = 'Q~s3cr3t-VALUE.that~must~never~leak_42';
const TENANT = '72f988bf-0000-0000-0000-000000000000';

describe('HAR from a proxy run (--har while running, and `har` from its log)', () => {
  const tmp = tempDir('aiproxy-har-');
  const harFile = path.join(tmp.dir, 'run.har');
  const logFile = path.join(tmp.dir, 'proxy.log');
  const fromLog = path.join(tmp.dir, 'from-log.har');
  const now = Math.floor(Date.now() / 1000);
  const token = makeJwt({
    aud: 'https://monitor.azure.com',
    tid: TENANT,
    oid: 'oid-1',
    appid: 'app-1',
    exp: now + 3600,
    nbf: now - 60,
  });
  const envelope = (name: string) =>
    JSON.stringify({
      ver: 1,
      name,
      time: new Date().toISOString(),
      iKey: IKEY,
      data: { baseType: 'RequestData', baseData: {} },
    });
  let upstream: TestUpstream;
  let proxy: TestProxy;
  let har: any;

  beforeAll(async () => {
    upstream = await startUpstream([HOST, LOGIN]);
    upstream.handler = (req, res) => {
      const url = req.url ?? '';
      if (url.includes('/oauth2/v2.0/token')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: 'unauthorized_client',
            error_description:
              "AADSTS700016: Application with identifier 'c1' was not found in the directory.",
            error_codes: [700016],
          }),
        );
      } else if (url === '/binary') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(randomBytes(512));
      } else if (!req.headers.authorization) {
        res.writeHead(401, 'Unauthorized', { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            itemsReceived: 1,
            itemsAccepted: 0,
            errors: [{ index: 0, statusCode: 401, message: 'Authentication required' }],
          }),
        );
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [] }));
      }
    };
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    const connectionString = `InstrumentationKey=${IKEY};IngestionEndpoint=https://${HOST}/`;
    proxy = await startTestProxy({
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`, `${LOGIN}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
      connectionString: [connectionString],
      logFile,
      // The log keeps every body here, so the HAR made from it can equal the live one.
      logBodies: 'all',
      sinks: [new HarFileSink(harFile, 'all')],
      analyzer: (connectionStrings) => (exchange) =>
        diagnose(exchange, { connectionStrings, expectEntra: false }),
    });
    const via = (p: Omit<Parameters<typeof httpsViaProxy>[0], 'proxyPort' | 'ca'>) =>
      httpsViaProxy({ ...p, proxyPort: proxy.port, ca: proxy.caPem });
    const track = { host: HOST, path: '/v2.1/track', method: 'POST' };
    expect(
      (
        await via({
          ...track,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: envelope('Request'),
        })
      ).status,
    ).toBe(200);
    expect(
      (await via({ ...track, headers: { 'content-type': 'application/json' }, body: envelope('Request') }))
        .status,
    ).toBe(401);
    const form = `client_id=c1&scope=https%3A%2F%2Fmonitor.azure.com%2F%2F.default&grant_type=client_credentials&client_secret=${encodeURIComponent(CLIENT_SECRET)}`;
    const tokenReply = await via({
      host: LOGIN,
      path: `/${TENANT}/oauth2/v2.0/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(tokenReply.status).toBe(400);
    expect((await via({ host: HOST, path: '/binary' })).status).toBe(200);
    await proxy.waitForExchanges(4);
    await proxy.close(); // completes the HAR file and flushes the log
    har = JSON.parse(readFileSync(harFile, 'utf8'));
  });
  afterAll(async () => {
    await upstream?.close();
    tmp.cleanup();
  });

  it('validates against the HAR 1.2 schema', () => {
    expect(harSchemaErrors(har)).toEqual([]);
    expect(har.log.entries).toHaveLength(4);
  });

  it('keeps the findings of each exchange in _findings', () => {
    const byPath = Object.fromEntries(
      har.log.entries.map((e: any) => [
        `${e.request.method} ${new URL(e.request.url).pathname} ${e.response.status}`,
        e,
      ]),
    );
    const ids = (key: string) => byPath[key]._findings.map((f: any) => f.id);
    expect(ids('POST /v2.1/track 401')).toContain('TOKEN_MISSING');
    expect(ids(`POST /${TENANT}/oauth2/v2.0/token 400`)).toContain('ENTRA_APP_NOT_FOUND');
    expect(byPath['POST /v2.1/track 401']._findings[0].guidance.fix.length).toBeGreaterThan(0);
    expect(byPath['GET /binary 200'].response.content.encoding).toBe('base64');
    expect(Buffer.from(byPath['GET /binary 200'].response.content.text, 'base64')).toHaveLength(512);
  });

  it('contains no secret: no token, no client secret, no full instrumentation key', () => {
    const text = readFileSync(harFile, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(encodeURIComponent(CLIENT_SECRET));
    expect(text.toLowerCase()).not.toContain(IKEY);
    expect(text.toLowerCase()).not.toContain(IKEY.replace(/-/g, ''));
    // ...but what the log shows instead is there: the masked key and the token's fingerprint.
    expect(text).toContain('7b3d1c2e-****-****-****-********5e6f');
    const authorized = har.log.entries.find((e: any) => e.request._authorization);
    expect(authorized.request.headers).toContainEqual({ name: 'authorization', value: '[redacted]' });
    expect(authorized.request._authorization.jwt.claims.oid).toBe('oid-1');
  });

  it('`har LOGFILE` gives the same entries from the JSON log', async () => {
    const result = await convertLogFileToHar(logFile, fromLog);
    expect(result.entries).toBe(4);
    const converted = JSON.parse(readFileSync(fromLog, 'utf8'));
    expect(harSchemaErrors(converted)).toEqual([]);
    const key = (e: any) => e._exchangeId;
    const sorted = (entries: any[]) => [...entries].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(converted.log.entries)).toEqual(sorted(har.log.entries));
    const text = readFileSync(fromLog, 'utf8');
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text.toLowerCase()).not.toContain(IKEY);
  });
});
