import type { Exchange } from '../../src/model/exchange';
import type { ExchangeFixture } from '../fixtures/exchanges';
import type { Finding } from '../../src/model/finding';
import type { Analysis } from '../../src/model/log-line';

/** Log lines as pino writes them (level label, ISO time), built like mitmproxy's tflow(). */
export interface LogLine {
  level: string;
  time: string;
  msg: string;
  exchange: Exchange;
  analysis?: Analysis;
  findings: Finding[];
}

export const HOST = 'westus-0.in.applicationinsights.azure.com';
export const MASKED_IKEY = '11111111-****-****-****-********5555';

export function exchange(
  overrides: Partial<Exchange> & { status?: number; reason?: string; path?: string } = {},
): ExchangeFixture {
  const { status = 200, reason = 'OK', path = '/v2.1/track', ...rest } = overrides;
  return {
    id: 'ex-1',
    startedAt: '2025-01-02T03:04:05.678Z',
    client: { address: '127.0.0.1', port: 50123 },
    scope: 'ingestion',
    request: {
      method: 'POST',
      url: `https://${HOST}${path}`,
      host: HOST,
      port: 443,
      path,
      httpVersion: '1.1',
      headers: { host: HOST, 'content-type': 'application/x-json-stream', authorization: '[redacted]' },
      authorization: {
        scheme: 'Bearer',
        fingerprint: 'a1b2c3d4e5f6',
        length: 1200,
        jwt: {
          header: { alg: 'RS256' },
          claims: { aud: 'https://monitor.azure.com', tid: 'tenant-1', oid: 'object-1', appid: 'app-1' },
        },
      },
      body: { size: 120, captured: 120, truncated: false, text: `{"iKey":"${MASKED_IKEY}"}` },
    },
    response: {
      status,
      reason,
      httpVersion: '1.1',
      headers: { 'content-type': 'application/json' },
      body: {
        size: 60,
        captured: 60,
        truncated: false,
        text: '{"itemsReceived":3,"itemsAccepted":3,"errors":[]}',
      },
    },
    timings: { start: Date.parse('2025-01-02T03:04:05.678Z'), ttfb: 40, total: 45 },
    upstream: { address: '127.0.0.1:443' },
    ...rest,
  };
}

export function analysis(sent = 3, accepted = sent): Analysis {
  return {
    kind: 'track-v2.1',
    sdk: 'java-agent',
    envelopes: { count: sent, byType: { RequestData: sent }, iKeys: [MASKED_IKEY] },
    ingestionResponse: { itemsReceived: sent, itemsAccepted: accepted, errors: [] },
  };
}

export function finding(id: string, severity: Finding['severity'], extra: Partial<Finding> = {}): Finding {
  return {
    id,
    severity,
    title: `${id} title`,
    evidence: { status: 401, header: 'authorization' },
    guidance: {
      why: `${id} why`,
      fix: [`${id} fix one`, `${id} fix two`],
      runtime: 'java',
      runtimeFix: [`${id} java step`],
      learnMore: ['https://learn.microsoft.com/x'],
    },
    ...extra,
  };
}

export function logLine(overrides: Partial<LogLine> = {}): LogLine {
  const ex = overrides.exchange ?? exchange();
  const status = ex.response ? `${ex.response.status} ${ex.response.reason}` : ex.error?.kind;
  return {
    level: 'info',
    time: '2025-01-02T03:04:05.800Z',
    msg: `${ex.request.method} ${ex.request.host}${ex.request.path} → ${status}`,
    exchange: ex,
    analysis: analysis(),
    findings: [],
    ...overrides,
  };
}
