import { gzipSync } from 'node:zlib';
import type { CertificateAuthority } from '../../src/certs/ca';
import { mintToken, type FakeServices } from '../../src/fake';
import { bearer, envelope, gzipJson, jsonArray, makeTestCa, send, startTestFake } from './helpers';

describe('fake ingestion bodies', () => {
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

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    send(fake, ca, {
      path: '/v2.1/track',
      headers: { authorization: `Bearer ${mintToken()}`, ...headers },
      body,
    });

  it('accepts gzip JSON arrays (JS exporter to an Azure host)', async () => {
    const reply = await post(gzipJson(envelope(), envelope()), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(reply.json()).toEqual({ itemsReceived: 2, itemsAccepted: 2, appId: null, errors: [] });
  });

  it('accepts gzip NDJSON without a trailing newline and without Content-Type (Java agent)', async () => {
    const ndjson = [envelope(), envelope(), envelope()].map((e) => JSON.stringify(e)).join('\n');
    const reply = await post(gzipSync(Buffer.from(ndjson)), { 'content-encoding': 'gzip' });
    expect(reply.json()).toMatchObject({ itemsReceived: 3, itemsAccepted: 3 });
  });

  it('accepts NDJSON as application/x-json-stream (Node 2.x) and as application/json (.NET exporter)', async () => {
    const ndjson = `${JSON.stringify(envelope())}\n${JSON.stringify(envelope())}\n`;
    for (const type of ['application/x-json-stream', 'application/json']) {
      expect((await post(ndjson, { 'content-type': type })).json()).toMatchObject({
        itemsReceived: 2,
        itemsAccepted: 2,
      });
    }
  });

  it("accepts a single JSON object (the support article's curl)", async () => {
    const reply = await post(JSON.stringify(envelope()), { 'content-type': 'application/json' });
    expect(reply.json()).toEqual({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [] });
  });

  it.each([
    ['a garbage body', Buffer.from('hello, this is not telemetry'), {}],
    ['bad gzip', Buffer.from('definitely not gzip'), { 'content-encoding': 'gzip' }],
    ['invalid JSON', Buffer.from('[{"name": "Request", "time": '), { 'content-type': 'application/json' }],
    ['an empty body', Buffer.alloc(0), { 'content-type': 'application/json' }],
  ])('answers %s with 400 and the error shape, then keeps serving', async (_case, body, headers) => {
    const reply = await post(body, headers as Record<string, string>);
    expect(reply.status).toBe(400);
    const json = reply.json();
    expect(json).toMatchObject({ itemsReceived: 0, itemsAccepted: 0, appId: null });
    expect(json.errors).toHaveLength(1);
    expect(json.errors[0]).toMatchObject({ index: 0, statusCode: 400, message: expect.any(String) });
    const next = await post(jsonArray(envelope()), { 'content-type': 'application/json' });
    expect(next.status).toBe(200);
  });

  it('rejects NDJSON lines that are not JSON one by one (206)', async () => {
    const reply = await post(`${JSON.stringify(envelope())}\n{broken\n${JSON.stringify(envelope())}`);
    expect(reply.status).toBe(206);
    expect(reply.json()).toMatchObject({
      itemsReceived: 3,
      itemsAccepted: 2,
      errors: [{ index: 1, statusCode: 400 }],
    });
  });

  it('requires name, time, iKey and data.baseType, but does not interpret name', async () => {
    const items = [
      envelope({ name: undefined }),
      envelope({ time: undefined }),
      envelope({ iKey: undefined }),
      envelope({ data: { baseData: {} } }),
      envelope({
        name: 'Microsoft.ApplicationInsights.Metric',
        data: { baseType: 'AvailabilityData', baseData: {} },
      }),
    ];
    const reply = await post(jsonArray(...items));
    expect(reply.status).toBe(206);
    const errors = reply.json().errors as { index: number; message: string }[];
    expect(errors.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(errors[0]?.message).toContain("Field 'name' on type 'Envelope'");
    expect(errors[2]?.message).toContain("Field 'iKey' on type 'Envelope'");
    expect(errors[3]?.message).toContain("Field 'baseType'");
  });

  it('serves the appId lookup and live metrics on the same listener', async () => {
    const appId = await send(fake, ca, {
      method: 'GET',
      path: '/api/profiles/11111111-2222-3333-4444-555555555555/appId',
    });
    expect([appId.status, appId.text]).toEqual([200, fake.settings.appId]);
  });

  it('answers unknown paths with 404', async () => {
    expect((await send(fake, ca, { method: 'GET', path: '/nothing-here' })).status).toBe(404);
  });

  it('answers concurrent gzip requests', async () => {
    const headers = { ...bearer(mintToken()), 'content-encoding': 'gzip' };
    const replies = await Promise.all(
      [1, 2, 3].map(() => send(fake, ca, { path: '/v2.1/track', headers, body: gzipJson(envelope()) })),
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
