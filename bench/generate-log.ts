import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { catalogEntry } from '../src/diagnosis/catalog';
import { guidanceFor } from '../src/diagnosis/guidance';
import type { FindingId } from '../src/diagnosis/finding-ids';
import type { Exchange } from '../src/model/exchange';
import type { Finding } from '../src/model/finding';

/**
 * A synthetic annotated log with known contents, for the report benchmark and its test: a
 * repeating mix of healthy telemetry, 401s, 403s, live metrics pings, tunnel lines and a few
 * broken lines, with realistic bodies and the catalog's real guidance text.
 */

const HOST = 'westus-0.in.applicationinsights.azure.com';
const LIVE = 'westus.livediagnostics.monitor.azure.com';
const IKEY = '11111111-****-****-****-********5555';
const START = Date.parse('2025-01-01T00:00:00.000Z');

export interface Expected {
  lines: number;
  exchanges: number;
  other: number;
  unparsed: number;
  byStatus: Record<string, number>;
  findings: Record<string, number>;
  trackRequests: number;
  trackAccepted: number;
  itemsSent: number;
  itemsAccepted: number;
}

type Kind = 'ok' | '401' | '403' | 'live';
/** Per ten exchanges: six healthy, two without a token, one without the role, one live ping. */
const MIX: Kind[] = ['ok', 'ok', '401', 'ok', 'live', 'ok', '403', 'ok', '401', 'ok'];

function finding(id: FindingId, title: string, evidence: Finding['evidence']): Finding {
  const entry = catalogEntry(id);
  return { id, severity: entry.severity, title, evidence, guidance: guidanceFor(entry, 'java', {}) };
}

const ENVELOPES = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      ver: 1,
      name: 'Microsoft.ApplicationInsights.Request',
      time: '2025-01-01T00:00:00Z',
      iKey: IKEY,
      tags: { 'ai.cloud.role': 'orders', 'ai.internal.sdkVersion': 'java:3.6.2' },
      data: {
        baseType: 'RequestData',
        baseData: {
          id: `r${i}`,
          name: 'GET /orders',
          duration: '00:00:00.010',
          responseCode: '200',
          success: true,
        },
      },
    }),
  ).join('\n');

function exchangeLine(n: number, kind: Kind) {
  const time = new Date(START + n * 100).toISOString();
  const live = kind === 'live';
  const status = kind === '401' ? 401 : kind === '403' ? 403 : 200;
  const reason = status === 200 ? 'OK' : status === 401 ? 'Unauthorized' : 'Forbidden';
  const items = live ? 0 : 3;
  const accepted = status === 200 ? items : 0;
  const path = live ? '/QuickPulseService.svc/ping?ikey=11111111-****-****-****-********5555' : '/v2.1/track';
  const host = live ? LIVE : HOST;
  const body = live ? '{"Instance":"vm-1"}' : ENVELOPES(items);
  const exchange: Exchange = {
    id: `ex-${n}`,
    startedAt: time,
    client: { address: '127.0.0.1', port: 40000 + (n % 20000) },
    connect: { target: `${host}:443`, httpVersion: '1.1' },
    scope: live ? 'live-metrics' : 'ingestion',
    request: {
      method: 'POST',
      url: `https://${host}${path}`,
      host,
      port: 443,
      path,
      httpVersion: '1.1',
      headers: {
        host,
        'content-type': 'application/json',
        'user-agent': 'Java/17 applicationinsights-java/3.6.2',
        ...(kind === '401' ? {} : { authorization: '[redacted]' }),
      },
      ...(kind === '401'
        ? {}
        : {
            authorization: {
              scheme: 'Bearer',
              fingerprint: '0a1b2c3d4e5f',
              length: 1400,
              jwt: {
                header: { alg: 'RS256', kid: 'k1' },
                claims: {
                  aud: 'https://monitor.azure.com',
                  tid: 'tenant-1',
                  oid: kind === '403' ? 'object-403' : 'object-ok',
                  appid: 'app-1',
                  exp: START / 1000 + 3600,
                },
              },
            },
          }),
      body: {
        size: body.length,
        captured: body.length,
        truncated: false,
        contentType: 'application/json',
        text: body,
      },
    },
    response: {
      status,
      reason,
      httpVersion: '1.1',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: {
        size: 50,
        captured: 50,
        truncated: false,
        text: `{"itemsReceived":${items},"itemsAccepted":${accepted},"errors":[]}`,
      },
    },
    timings: { start: START + n * 100, ttfb: 30, total: 35 },
    upstream: { address: '20.0.0.1:443' },
  };
  const findings =
    kind === '401'
      ? [
          finding('TOKEN_MISSING', 'Telemetry sent without an Entra ID token', {
            status: 401,
            authorization: 'absent',
          }),
        ]
      : kind === '403'
        ? [finding('ROLE_MISSING', 'Identity lacks the role', { status: 403, oid: 'object-403' })]
        : [];
  const analysis = live
    ? { kind: 'live-ping', sdk: 'java-agent' }
    : {
        kind: 'track-v2.1',
        sdk: 'java-agent',
        envelopes: { count: items, byType: { RequestData: items }, iKeys: [IKEY] },
        ingestionResponse: { itemsReceived: items, itemsAccepted: accepted, errors: [] },
      };
  const level = findings.length ? 'error' : 'info';
  return {
    line: { level, time, exchange, analysis, findings, msg: `POST ${host}${path} → ${status} ${reason}` },
    status,
    items,
    accepted,
    live,
  };
}

/** Writes `total` lines to `file` and returns what a correct report must count. */
export async function generateLog(file: string, total: number): Promise<Expected> {
  const out = createWriteStream(file);
  const expected: Expected = {
    lines: total,
    exchanges: 0,
    other: 0,
    unparsed: 0,
    byStatus: {},
    findings: {},
    trackRequests: 0,
    trackAccepted: 0,
    itemsSent: 0,
    itemsAccepted: 0,
  };
  let exchanges = 0;
  for (let n = 1; n <= total; n++) {
    let text: string;
    if (n % 997 === 0) {
      text = `not a log line ${n} {`;
      expected.unparsed += 1;
    } else if (n % 50 === 0) {
      text = JSON.stringify({
        level: 'info',
        time: new Date(START + n * 100).toISOString(),
        tunnel: { target: 'example.com:443', bytesUp: 100, bytesDown: 2000, durationMs: 12 },
        msg: 'TUNNEL example.com:443 (not intercepted)',
      });
      expected.other += 1;
    } else {
      const kind = MIX[exchanges++ % MIX.length]!;
      const made = exchangeLine(n, kind);
      text = JSON.stringify(made.line);
      expected.exchanges += 1;
      expected.byStatus[made.status] = (expected.byStatus[made.status] ?? 0) + 1;
      for (const f of made.line.findings) expected.findings[f.id] = (expected.findings[f.id] ?? 0) + 1;
      if (!made.live) {
        expected.trackRequests += 1;
        expected.itemsSent += made.items;
        expected.itemsAccepted += made.accepted;
        if (made.status === 200) expected.trackAccepted += 1;
      }
    }
    if (!out.write(`${text}\n`)) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  return expected;
}
