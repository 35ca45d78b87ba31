import http from 'node:http';
import type { CertificateAuthority } from '../../src/certs/ca';
import { decodeJwt } from '../../src/ingestion/jwt';
import { DEFAULT_MANAGED_IDENTITY, mintToken, type FakeServices } from '../../src/fake';
import { IKEY, LIVE_HOST, makeTestCa, send, startTestFake } from './helpers';

function imdsGet(port: number, path: string, headers: Record<string, string> = { Metadata: 'true' }) {
  return new Promise<{ status: number; json: any }>((resolve, reject) => {
    http
      .get(
        { host: '127.0.0.1', port, path, headers: { host: '169.254.169.254', ...headers }, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
            }),
          );
        },
      )
      .on('error', reject);
  });
}

describe('fake managed identity (plain HTTP listener)', () => {
  let ca: CertificateAuthority;
  let disposeCa: () => void;
  let fake: FakeServices;
  let imdsPort: number;

  beforeAll(async () => {
    ({ ca, dispose: disposeCa } = await makeTestCa());
    ({ fake } = await startTestFake(ca, { imdsPort: 0 }));
    imdsPort = fake.imdsPort ?? 0;
  });
  afterAll(async () => {
    await fake.close();
    disposeCa();
  });

  const tokenPath = (extra = '') =>
    `/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent('https://monitor.azure.com/')}${extra}`;

  it('issues an IMDS token with numbers as strings', async () => {
    const reply = await imdsGet(imdsPort, tokenPath());
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      client_id: DEFAULT_MANAGED_IDENTITY.clientId,
      resource: 'https://monitor.azure.com/',
      token_type: 'Bearer',
    });
    for (const field of ['expires_in', 'expires_on', 'ext_expires_in', 'not_before'])
      expect(typeof reply.json[field]).toBe('string');
    expect(decodeJwt(reply.json.access_token).jwt?.claims).toMatchObject({
      aud: 'https://monitor.azure.com/',
      oid: DEFAULT_MANAGED_IDENTITY.objectId,
    });
  });

  it('issues tokens the fake ingestion accepts (the default identity holds the role)', async () => {
    const token = (await imdsGet(imdsPort, tokenPath())).json.access_token as string;
    const body = JSON.stringify([
      { name: 'Event', time: new Date().toISOString(), iKey: IKEY, data: { baseType: 'EventData' } },
    ]);
    const reply = await send(fake, ca, {
      path: '/v2.1/track',
      headers: { authorization: `Bearer ${token}` },
      body,
    });
    expect(reply.status).toBe(200);
  });

  it('answers an unknown client id with 400 "Identity not found"', async () => {
    const reply = await imdsGet(imdsPort, tokenPath('&client_id=00000000-0000-4000-8000-000000000bad'));
    expect(reply).toEqual({
      status: 400,
      json: { error: 'invalid_request', error_description: 'Identity not found' },
    });
  });

  it('requires the Metadata header', async () => {
    const reply = await imdsGet(imdsPort, tokenPath(), {});
    expect(reply.status).toBe(400);
    expect(reply.json.error).toBe('invalid_request');
  });

  it('answers the App Service endpoint with its own 400 shape', async () => {
    const reply = await imdsGet(
      imdsPort,
      `/msi/token?api-version=2019-08-01&resource=https://monitor.azure.com&client_id=nope`,
      { 'X-IDENTITY-HEADER': 'secret' },
    );
    expect(reply).toEqual({
      status: 400,
      json: {
        statusCode: 400,
        message:
          'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
      },
    });
  });
});

describe('fake live metrics', () => {
  let ca: CertificateAuthority;
  let disposeCa: () => void;
  let fake: FakeServices;

  beforeAll(async () => {
    ({ ca, dispose: disposeCa } = await makeTestCa());
    ({ fake } = await startTestFake(ca));
  });
  afterAll(async () => {
    await fake.close();
    disposeCa();
  });

  const ping = (headers: Record<string, string> = {}) =>
    send(fake, ca, {
      host: LIVE_HOST,
      path: `/QuickPulseService.svc/ping?api-version=2024-04-01-preview&ikey=${IKEY}`,
      headers: {
        'content-type': 'application/json',
        'x-ms-qps-transmission-time': '638000000000000000',
        ...headers,
      },
      body: JSON.stringify({ Version: 'node', InvariantVersion: 5, Instance: 'vm', StreamId: 'abc' }),
    });

  it('answers a ping with a token with the x-ms-qps headers', async () => {
    const reply = await ping({ authorization: `Bearer ${mintToken()}` });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-ms-qps-subscribed']).toBe('false');
    expect(reply.headers).toHaveProperty('x-ms-qps-configuration-etag');
    expect(reply.headers['x-ms-qps-service-polling-interval-hint']).toBe('5000');
  });

  it('answers a ping without a token with the real 401 body when Entra-only', async () => {
    const reply = await ping();
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Code: 'InvalidOperation',
      Message: 'The Agent/SDK does not have permissions to send telemetry to this resource.',
      Exception: '',
    });
  });

  it('logs the live metrics path with the iKey masked', async () => {
    const seen = await fake.waitForRequest((r) => r.service === 'live-metrics');
    expect(seen.path).toContain('ikey=11111111-****-****-****-********5555');
  });
});
