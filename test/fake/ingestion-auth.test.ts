import type { CertificateAuthority } from '../../src/certs/ca';
import { DEFAULT_APP, DEFAULT_PUBLISHERS, mintToken, type FakeServices } from '../../src/fake';
import {
  bearer,
  envelope,
  IKEY,
  jsonArray,
  makeTestCa,
  send,
  startTestFake,
  type MemoryLog,
} from './helpers';

const REASON_401 = 'Unauthorized - please provide the valid authorization token';
const REASON_403 =
  'Forbidden - provided credentials do not grant the access to ingest the telemetry into the component';
const now = () => Math.floor(Date.now() / 1000);

describe('fake ingestion, --auth entra-only', () => {
  let ca: CertificateAuthority;
  let disposeCa: () => void;
  let fake: FakeServices;
  let log: MemoryLog;

  beforeAll(async () => {
    ({ ca, dispose: disposeCa } = await makeTestCa());
    ({ fake, log } = await startTestFake(ca, { ingestion: { auth: 'entra-only', ikeys: [IKEY] } }));
  });
  afterAll(async () => {
    await fake.close();
    disposeCa();
  });

  const track = (headers: Record<string, string> = {}, path = '/v2.1/track', body = jsonArray(envelope())) =>
    send(fake, ca, { path, headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers a valid token with 200, the real body shape and headers', async () => {
    const reply = await track(bearer(mintToken()));
    expect(reply.status).toBe(200);
    expect(reply.reason).toBe('OK');
    expect(reply.json()).toEqual({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [] });
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.headers.server).toBe('Microsoft-HTTPAPI/2.0');
    expect(reply.headers['transfer-encoding']).toBe('chunked');
  });

  it('answers /v2/track with 400 "Authentication not supported"', async () => {
    const reply = await track(bearer(mintToken()), '/v2/track');
    expect(reply.status).toBe(400);
    expect(reply.reason).toBe('Authentication not supported');
    expect(reply.json()).toMatchObject({ itemsReceived: 1, itemsAccepted: 0, appId: null });
    expect(reply.json().errors[0]).toEqual({
      index: 0,
      statusCode: 400,
      message: 'Authentication not supported',
    });
  });

  it('answers v2.1 without a token with 401 "Authentication required"', async () => {
    const reply = await track();
    expect(reply.status).toBe(401);
    expect(reply.reason).toBe(REASON_401);
    expect(reply.json()).toEqual({
      itemsReceived: 1,
      itemsAccepted: 0,
      appId: null,
      errors: [{ index: 0, statusCode: 401, message: 'Authentication required' }],
    });
  });

  it('accepts //v2.1/track (Python with a trailing slash in the endpoint)', async () => {
    expect((await track(bearer(mintToken()), '//v2.1/track')).status).toBe(200);
  });

  it.each([
    ['expired', { exp: now() - 3600, nbf: now() - 7200, iat: now() - 7200 }],
    ['not yet valid', { nbf: now() + 3600, exp: now() + 7200 }],
    ['for the wrong audience', { aud: 'https://management.azure.com' }],
    ['for a sovereign cloud audience', { aud: 'https://monitor.azure.us' }],
  ])('answers a token %s with 401', async (_case, claims) => {
    const reply = await track(bearer(mintToken(claims)));
    expect(reply.status).toBe(401);
    expect(reply.reason).toBe(REASON_401);
    expect(reply.json().errors[0]).toMatchObject({ statusCode: 401 });
  });

  it('answers a malformed bearer value with 401', async () => {
    expect((await track({ authorization: 'Bearer not-a-jwt' })).status).toBe(401);
    expect((await track({ authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
  });

  it('accepts the audience with and without a trailing slash', async () => {
    for (const aud of ['https://monitor.azure.com', 'https://monitor.azure.com/']) {
      expect((await track(bearer(mintToken({ aud })))).status).toBe(200);
    }
  });

  it('answers a valid token whose principal lacks Monitoring Metrics Publisher with 403', async () => {
    const token = mintToken({
      oid: '00000000-0000-0000-0000-00000000dead',
      appid: '00000000-0000-0000-0000-00000000beef',
    });
    const reply = await track(bearer(token));
    expect(reply.status).toBe(403);
    expect(reply.reason).toBe(REASON_403);
    expect(reply.json()).toMatchObject({ itemsReceived: 1, itemsAccepted: 0, appId: null });
    expect(reply.json().errors[0]).toMatchObject({ index: 0, statusCode: 403 });
  });

  it('accepts a principal named by its appid as well as by its oid', async () => {
    fake.updateSettings({ publishers: [DEFAULT_APP.clientId] });
    try {
      expect((await track(bearer(mintToken({ oid: '00000000-0000-0000-0000-000000000001' })))).status).toBe(
        200,
      );
    } finally {
      fake.updateSettings({ publishers: [...DEFAULT_PUBLISHERS] });
    }
  });

  it('answers an unknown instrumentation key with 400 "Invalid instrumentation key"', async () => {
    const body = jsonArray(envelope({ iKey: '99999999-8888-7777-6666-555555555555' }));
    const reply = await track(bearer(mintToken()), '/v2.1/track', body);
    expect(reply.status).toBe(400);
    expect(reply.json()).toEqual({
      itemsReceived: 1,
      itemsAccepted: 0,
      appId: null,
      errors: [{ index: 0, statusCode: 400, message: 'Invalid instrumentation key' }],
    });
  });

  it('answers a batch with one bad item with 206 and per-item errors', async () => {
    const body = jsonArray(envelope(), envelope({ time: undefined }), envelope());
    const reply = await track(bearer(mintToken()), '/v2.1/track', body);
    expect(reply.status).toBe(206);
    expect(reply.json()).toEqual({
      itemsReceived: 3,
      itemsAccepted: 2,
      appId: null,
      errors: [
        {
          index: 1,
          statusCode: 400,
          message:
            "109: Field 'time' on type 'Envelope' is required but missing or empty. Expected: string, Actual: undefined",
        },
      ],
    });
  });

  it('accepts unauthenticated statsbeat, as the real service does', async () => {
    const statsbeat = envelope({
      iKey: 'c4a29126-a7cb-47e5-b348-11414998b11e',
      name: 'Statsbeat',
      data: { baseType: 'MetricData', baseData: { ver: 2, metrics: [] } },
    });
    const reply = await track({}, '/v2.1/track', jsonArray(statsbeat));
    expect(reply.status).toBe(200);
  });

  it('uses configured reason phrases and v2 status', async () => {
    fake.updateSettings({ reason401: 'Unauthorized', v2Status: 401, v2Reason: 'Unauthorized' });
    try {
      expect((await track()).reason).toBe('Unauthorized');
      const v2 = await track({}, '/v2/track');
      expect([v2.status, v2.reason]).toEqual([401, 'Unauthorized']);
    } finally {
      fake.updateSettings({ reason401: REASON_401, v2Status: 400, v2Reason: 'Authentication not supported' });
    }
  });

  it('requires fake-Entra signatures when told to', async () => {
    fake.updateSettings({ signatures: 'ours' });
    try {
      expect((await track(bearer(mintToken()))).status).toBe(401);
      expect((await track(bearer(fake.mintToken()))).status).toBe(200);
    } finally {
      fake.updateSettings({ signatures: 'any' });
    }
  });

  it('logs each request without tokens or full instrumentation keys', async () => {
    const token = mintToken();
    await track(bearer(token));
    const line = JSON.parse(log.lines[log.lines.length - 1] ?? '{}');
    expect(line).toMatchObject({
      event: 'fake.request',
      method: 'POST',
      host: 'westus-0.in.applicationinsights.azure.com',
      path: '/v2.1/track',
      status: 200,
    });
    expect(line.authorization.jwt.claims).toMatchObject({
      aud: 'https://monitor.azure.com',
      oid: DEFAULT_APP.objectId,
    });
    expect(line.body).toMatchObject({
      format: 'json-array',
      items: 1,
      baseTypes: { RequestData: 1 },
      ikeys: ['11111111-****-****-****-********5555'],
    });
    expect(line.headers.authorization).toBe('[redacted]');
    expect(log.text).not.toContain(token.split('.')[1]);
    expect(log.text).not.toContain(IKEY);
  });

  it('its log masks secrets under any header name and in any header value, like the proxy', async () => {
    await track({
      ...bearer(mintToken({})),
      'X-Client-Secret': 'cl13nt-s3cr3t-value',
      'X-Ms-Token-Aad-Refresh-Token': 'r3fresh-t0ken-value',
      Referer: 'https://app.example/cb#access_token=fr4gment-t0ken-value&state=1',
    });
    const line = JSON.parse(log.lines[log.lines.length - 1] ?? '{}');
    expect(line.headers['x-client-secret']).toBe('[redacted]');
    expect(line.headers.referer).toBe('https://app.example/cb#access_token=[redacted]&state=1');
    for (const secret of ['cl13nt-s3cr3t', 'r3fresh-t0ken', 'fr4gment-t0ken'])
      expect(log.text).not.toContain(secret);
  });
});

describe('fake ingestion, --auth local', () => {
  let ca: CertificateAuthority;
  let disposeCa: () => void;
  let fake: FakeServices;

  beforeAll(async () => {
    ({ ca, dispose: disposeCa } = await makeTestCa());
    ({ fake } = await startTestFake(ca, { ingestion: { auth: 'local' } }));
  });
  afterAll(async () => {
    await fake.close();
    disposeCa();
  });

  const body = jsonArray(envelope());

  it('accepts /v2/track and v2.1 without a token', async () => {
    expect((await send(fake, ca, { path: '/v2/track', body })).status).toBe(200);
    expect((await send(fake, ca, { path: '/v2.1/track', body })).status).toBe(200);
  });

  it('still answers 403 to a token without the role', async () => {
    const token = mintToken({
      oid: '00000000-0000-0000-0000-00000000dead',
      appid: '00000000-0000-0000-0000-00000000beef',
    });
    expect((await send(fake, ca, { path: '/v2.1/track', headers: bearer(token), body })).status).toBe(403);
  });

  it('answers an expired token with 401', async () => {
    const token = mintToken({ exp: now() - 3600 });
    expect((await send(fake, ca, { path: '/v2.1/track', headers: bearer(token), body })).status).toBe(401);
  });
});
