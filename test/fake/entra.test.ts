import { createPublicKey, verify } from 'node:crypto';
import type { CertificateAuthority } from '../../src/certs/ca';
import { decodeJwt } from '../../src/ingestion/jwt';
import { DEFAULT_APP, DEFAULT_TENANT_ID, type FakeServices } from '../../src/fake';
import { LOGIN_HOST, makeTestCa, send, startTestFake } from './helpers';

const ENTRA_ERROR_KEYS = [
  'correlation_id',
  'error',
  'error_codes',
  'error_description',
  'error_uri',
  'timestamp',
  'trace_id',
];

describe('fake Entra ID', () => {
  let ca: CertificateAuthority;
  let disposeCa: () => void;
  let fake: FakeServices;

  beforeAll(async () => {
    ({ ca, dispose: disposeCa } = await makeTestCa());
    ({ fake } = await startTestFake(ca, {
      entra: {
        apps: [
          { clientId: DEFAULT_APP.clientId, secret: DEFAULT_APP.secret, objectId: DEFAULT_APP.objectId },
          {
            clientId: 'eeeeeeee-0000-4000-8000-000000000001',
            secret: 'old',
            secretExpired: true,
            objectId: 'eeeeeeee-0000-4000-8000-0000000000aa',
          },
        ],
      },
    }));
  });
  afterAll(async () => {
    await fake.close();
    disposeCa();
  });

  const tokenRequest = (fields: Record<string, string>, tenant = DEFAULT_TENANT_ID, host = LOGIN_HOST) =>
    send(fake, ca, {
      host,
      path: `/${tenant}/oauth2/v2.0/token`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        'client-request-id': '0a0b0c0d-0000-4000-8000-00000000c0de',
      },
      body: new URLSearchParams(fields).toString(),
    });

  const good = {
    grant_type: 'client_credentials',
    client_id: DEFAULT_APP.clientId,
    client_secret: DEFAULT_APP.secret,
    scope: 'https://monitor.azure.com//.default',
  };

  it('answers instance discovery with the tenant discovery endpoint and cloud metadata', async () => {
    const authorize = `https://${LOGIN_HOST}/${DEFAULT_TENANT_ID}/oauth2/v2.0/authorize`;
    const reply = await send(fake, ca, {
      method: 'GET',
      host: LOGIN_HOST,
      path: `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorize)}`,
    });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({
      tenant_discovery_endpoint: `https://${LOGIN_HOST}/${DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
    });
    expect(reply.json().metadata[0].aliases).toContain('login.microsoftonline.com');
  });

  it('answers the OpenID configuration of a known tenant', async () => {
    const reply = await send(fake, ca, {
      method: 'GET',
      host: LOGIN_HOST,
      path: `/${DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration`,
    });
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({
      token_endpoint: `https://${LOGIN_HOST}/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`,
      issuer: `https://${LOGIN_HOST}/${DEFAULT_TENANT_ID}/v2.0`,
      jwks_uri: `https://${LOGIN_HOST}/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`,
    });
  });

  it('answers an unknown tenant with AADSTS90002 at the metadata and at the token endpoint', async () => {
    const tenant = '12345678-0000-4000-8000-000000000000';
    const meta = await send(fake, ca, {
      method: 'GET',
      host: LOGIN_HOST,
      path: `/${tenant}/v2.0/.well-known/openid-configuration`,
    });
    expect(meta.status).toBe(400);
    expect(meta.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    const token = await tokenRequest(good, tenant);
    expect(token.status).toBe(400);
    expect(token.json()).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
    expect(token.json().error_description).toMatch(
      new RegExp(`^AADSTS90002: Tenant '${tenant}' not found\\.`),
    );
  });

  it('issues a token whose claims are the chosen ones and whose signature verifies with the JWKS', async () => {
    const reply = await tokenRequest(good);
    expect(reply.status).toBe(200);
    const body = reply.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    const { jwt } = decodeJwt(body.access_token);
    expect(jwt?.header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(jwt?.claims).toMatchObject({
      aud: 'https://monitor.azure.com/', // mirrors the requested resource
      tid: DEFAULT_TENANT_ID,
      oid: DEFAULT_APP.objectId,
      appid: DEFAULT_APP.clientId,
      iss: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
    });
    expect((jwt?.claims.exp ?? 0) - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    const keys = await send(fake, ca, {
      method: 'GET',
      host: LOGIN_HOST,
      path: `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`,
    });
    const jwk = keys.json().keys[0];
    expect(jwk.kid).toBe(jwt?.header.kid);
    const [h, p, s] = (body.access_token as string).split('.');
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s ?? '', 'base64url'))).toBe(true);
  });

  it('issues tokens the fake ingestion accepts', async () => {
    const token = (await tokenRequest(good)).json().access_token as string;
    const reply = await send(fake, ca, {
      path: '/v2.1/track',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({
        name: 'Event',
        time: new Date().toISOString(),
        iKey: '11111111-2222-3333-4444-555555555555',
        data: { baseType: 'EventData' },
      }),
    });
    expect(reply.status).toBe(200);
  });

  it.each([
    [
      'AADSTS700016 for an unknown client id',
      { client_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
      400,
      'unauthorized_client',
      700016,
      `AADSTS700016: Application with identifier 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' was not found in the directory '${DEFAULT_TENANT_ID}'.`,
    ],
    [
      'AADSTS7000215 for a wrong secret',
      { client_secret: 'wrong' },
      401,
      'invalid_client',
      7000215,
      'AADSTS7000215: Invalid client secret provided.',
    ],
    [
      'AADSTS7000222 for an expired secret',
      { client_id: 'eeeeeeee-0000-4000-8000-000000000001', client_secret: 'old' },
      401,
      'invalid_client',
      7000222,
      "AADSTS7000222: The provided client secret keys for app 'eeeeeeee-0000-4000-8000-000000000001' are expired.",
    ],
    [
      'AADSTS500011 for a resource not in the tenant',
      { scope: 'https://monitor.azure.us/.default' },
      400,
      'invalid_resource',
      500011,
      'AADSTS500011: The resource principal named https://monitor.azure.us was not found in the tenant named',
    ],
    [
      'AADSTS1002012 for a scope without /.default',
      { scope: 'https://monitor.azure.com/' },
      400,
      'invalid_scope',
      1002012,
      'AADSTS1002012: The provided value for scope https://monitor.azure.com/ is not valid.',
    ],
  ])('answers %s with the real shape', async (_case, override, status, error, code, start) => {
    const reply = await tokenRequest({ ...good, ...override });
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = reply.json();
    expect(Object.keys(body).sort()).toEqual(ENTRA_ERROR_KEYS);
    expect(body.error).toBe(error);
    expect(body.error_codes).toEqual([code]);
    expect(body.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`);
    expect(body.error_description.startsWith(start)).toBe(true);
    expect(body.error_description).toMatch(
      /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: 0a0b0c0d-0000-4000-8000-00000000c0de\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(body.correlation_id).toBe('0a0b0c0d-0000-4000-8000-00000000c0de');
  });

  it('serves a custom authority host by path (authorityHost https://login.test)', async () => {
    const reply = await tokenRequest(good, DEFAULT_TENANT_ID, 'login.test');
    expect(reply.status).toBe(200);
  });

  it('never logs the client secret or the issued token', async () => {
    const { fake: logged, log } = await startTestFake(ca);
    try {
      const reply = await send(logged, ca, {
        host: LOGIN_HOST,
        path: `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`,
        body: new URLSearchParams(good).toString(),
      });
      const token = reply.json().access_token as string;
      expect(log.text).toContain('"client_secret":"[redacted]"');
      expect(log.text).not.toContain(DEFAULT_APP.secret);
      expect(log.text).not.toContain(token.split('.')[2]);
    } finally {
      await logged.close();
    }
  });
});
