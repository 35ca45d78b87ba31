import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** The ingestion host every throughput cell talks to (mapped to 127.0.0.1 by the private hosts file). */
export const HOST = 'westus-0.in.applicationinsights.azure.com';
export const PATH = '/v2.1/track';
export const IKEY = '11111111-2222-3333-4444-555555555555';

function envelope(i: number): Record<string, unknown> {
  return {
    ver: 1,
    name: 'Microsoft.ApplicationInsights.Request',
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60)).toISOString(),
    sampleRate: 100,
    iKey: IKEY,
    tags: {
      'ai.cloud.role': 'checkout-api',
      'ai.cloud.roleInstance': `checkout-api-7d9f8c-${(i % 7).toString().padStart(5, '0')}`,
      'ai.operation.id': createHash('md5').update(`op${i}`).digest('hex'),
      'ai.operation.name': 'POST /api/orders',
      'ai.internal.sdkVersion': 'node:2.9.6',
    },
    data: {
      baseType: 'RequestData',
      baseData: {
        ver: 2,
        id: createHash('md5').update(`id${i}`).digest('hex').slice(0, 16),
        name: 'POST /api/orders',
        duration: `00:00:00.${(120 + i).toString().padStart(3, '0')}`,
        responseCode: '200',
        success: true,
        url: `https://checkout.example.com/api/orders?page=${i}`,
        properties: {
          tenant: `tenant-${i % 5}`,
          region: 'westus',
          build: '2025.01.07-rc3',
          note: 'x'.repeat(180),
        },
        measurements: { items: i % 11, total: (i * 3.17) % 1000 },
      },
    },
  };
}

/** A JSON array of `count` telemetry envelopes, padded up to about `bytes`. */
function jsonArray(count: number, bytes: number): Buffer {
  const items = Array.from({ length: count }, (_, i) => envelope(i));
  let text = JSON.stringify(items);
  if (text.length < bytes) {
    const last = items[items.length - 1] as { data: { baseData: { properties: { note: string } } } };
    last.data.baseData.properties.note += 'y'.repeat(bytes - text.length);
    text = JSON.stringify(items);
  }
  return Buffer.from(text);
}

export interface Body {
  name: 'small' | 'large';
  payload: Buffer;
  headers: Record<string, string>;
  items: number;
  sha256: string;
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

const smallJson = jsonArray(2, 2048);
const largeJson = jsonArray(65, 65536);
const largeGz = gzipSync(largeJson);

export const BODIES: Record<'small' | 'large', Body> = {
  small: {
    name: 'small',
    payload: smallJson,
    headers: { 'content-type': 'application/json' },
    items: 2,
    sha256: sha(smallJson),
  },
  large: {
    name: 'large',
    payload: largeGz,
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    items: 65,
    sha256: sha(largeGz),
  },
};

export function describeBodies(): string {
  return `small = 2 envelopes, ${smallJson.length} B JSON; large = 65 envelopes, ${largeJson.length} B JSON sent gzip-compressed (${largeGz.length} B on the wire)`;
}

/**
 * A JWT-shaped bearer token (the proxy decodes its claims; nothing verifies the signature).
 * `expiresInSeconds` < 0 gives an expired token: the failure storm (every request draws
 * TOKEN_EXPIRED, so every log line carries a finding; the stand-in upstream still accepts it).
 */
export function bearerToken(expiresInSeconds = 7200): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: 'RS256', typ: 'JWT', kid: 'bench' })}.${enc({
    aud: 'https://monitor.azure.com',
    iss: 'https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/',
    tid: '72f988bf-0000-0000-0000-000000000000',
    oid: 'aaaaaaaa-0000-0000-0000-000000000001',
    appid: 'bbbbbbbb-0000-0000-0000-000000000002',
    exp: now + expiresInSeconds,
    nbf: Math.min(now, now + expiresInSeconds) - 60,
    iat: Math.min(now, now + expiresInSeconds) - 60,
  })}.${Buffer.from('bench-signature-bytes').toString('base64url')}`;
}

/** What the upstream answers to a body it checked and found intact. */
export function acceptedResponse(items: number): string {
  return JSON.stringify({ itemsReceived: items, itemsAccepted: items, appId: null, errors: [] });
}
