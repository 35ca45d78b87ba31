import type { CertificateAuthority } from '../../src/certs/ca';
import { mintToken, type FakeServices } from '../../src/fake';
import { bearer, envelope, jsonArray, makeTestCa, send, startTestFake } from './helpers';

describe('fake ingestion scenarios', () => {
  let ca: CertificateAuthority;
  let disposeCa: () => void;
  let fake: FakeServices;

  beforeAll(async () => {
    ({ ca, dispose: disposeCa } = await makeTestCa());
    ({ fake } = await startTestFake(ca));
  });
  afterEach(() => fake.setScenario('ok'));
  afterAll(async () => {
    await fake.close();
    disposeCa();
  });

  const track = (items = [envelope()], host?: string) =>
    send(fake, ca, { path: '/v2.1/track', host, headers: bearer(mintToken()), body: jsonArray(...items) });

  it('sample: 206 "Telemetry sampled out." for every other item', async () => {
    fake.setScenario('sample');
    const reply = await track([envelope(), envelope(), envelope()]);
    expect(reply.status).toBe(206);
    expect(reply.reason).toBe('Telemetry sampled out.');
    expect(reply.json()).toEqual({
      itemsReceived: 3,
      itemsAccepted: 1,
      appId: null,
      errors: [
        { index: 0, statusCode: 206, message: 'Telemetry sampled out.' },
        { index: 2, statusCode: 206, message: 'Telemetry sampled out.' },
      ],
    });
  });

  it('throttle: 429 with Retry-After', async () => {
    fake.setScenario({ name: 'throttle', retryAfterSeconds: 7 });
    const reply = await track();
    expect(reply.status).toBe(429);
    expect(reply.reason).toBe('Too Many Requests');
    expect(reply.headers['retry-after']).toBe('7');
    expect(reply.json()).toMatchObject({ itemsReceived: 1, itemsAccepted: 0, appId: null });
    expect(reply.json().errors[0]).toMatchObject({ index: 0, statusCode: 429 });
  });

  it('quota: 439 with the error shape', async () => {
    fake.setScenario('quota');
    const reply = await track();
    expect(reply.status).toBe(439);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.json().errors[0]).toMatchObject({ index: 0, statusCode: 439 });
  });

  it('redirect: 308 with a full https Location on an Azure host, not redirected again there', async () => {
    fake.setScenario('redirect');
    const reply = await track();
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe('https://westus2-1.in.applicationinsights.azure.com/v2.1/track');
    const followed = await track([envelope()], 'westus2-1.in.applicationinsights.azure.com');
    expect(followed.status).toBe(200);
  });

  it.each([
    ['error500', 500, 'Internal Server Error'],
    ['error503', 503, 'Service Unavailable'],
  ] as const)('%s: %i', async (name, status, reason) => {
    fake.setScenario(name);
    const reply = await track();
    expect([reply.status, reply.reason]).toEqual([status, reason]);
    expect(reply.json().errors[0]).toMatchObject({ index: 0, statusCode: status });
  });

  it('slow: answers normally after the delay', async () => {
    fake.setScenario({ name: 'slow', delayMs: 300 });
    const started = Date.now();
    const reply = await track();
    expect(reply.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('times: plays the scenario N times, then answers ok again', async () => {
    fake.setScenario({ name: 'error503', times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await track()).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(fake.scenario.name).toBe('ok');
  });

  it('switches over HTTP with POST /_fake/scenario on the same listener', async () => {
    const set = await send(fake, ca, {
      path: '/_fake/scenario',
      body: JSON.stringify({ name: 'throttle', retryAfterSeconds: 3 }),
    });
    expect(set.status).toBe(200);
    expect(fake.scenario).toEqual({ name: 'throttle', retryAfterSeconds: 3 });
    expect((await track()).status).toBe(429);
    const viaQuery = await send(fake, ca, { path: '/_fake/scenario?name=ok', body: '' });
    expect(viaQuery.json()).toEqual({ scenario: { name: 'ok' } });
    expect((await track()).status).toBe(200);
    const bad = await send(fake, ca, { path: '/_fake/scenario', body: JSON.stringify({ name: 'nope' }) });
    expect(bad.status).toBe(400);
  });

  it('reports what it received over HTTP and waits for requests from code', async () => {
    fake.clearReceived();
    const waiting = fake.waitForRequest((r) => r.path === '/v2.1/track', 5000);
    await track();
    expect((await waiting).status).toBe(200);
    const list = await send(fake, ca, { method: 'GET', path: '/_fake/received' });
    expect(list.json().received).toHaveLength(1);
  });

  it('changes settings over HTTP', async () => {
    const reply = await send(fake, ca, { path: '/_fake/settings', body: JSON.stringify({ auth: 'local' }) });
    expect(reply.json().settings.auth).toBe('local');
    expect((await send(fake, ca, { path: '/v2/track', body: jsonArray(envelope()) })).status).toBe(200);
    await send(fake, ca, { path: '/_fake/settings', body: JSON.stringify({ auth: 'entra-only' }) });
    expect((await send(fake, ca, { path: '/v2/track', body: jsonArray(envelope()) })).status).toBe(400);
    expect(
      (await send(fake, ca, { path: '/_fake/settings', body: JSON.stringify({ auth: 'off' }) })).status,
    ).toBe(400);
  });
});
