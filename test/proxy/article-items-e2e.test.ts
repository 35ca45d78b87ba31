/**
 * Issue 11 items 1–3 through the running proxy with a real client: curl (CONNECT, TLS trusting the
 * proxy CA) posts to the proxy, which relays to a local HTTPS upstream playing the ingestion
 * service's answers. Loopback only. The real SDKs play the same items in test/e2e/article-items.test.ts.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { makeJwt, startTestProxy, type TestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream, type TestUpstream } from '../helpers/upstream';

const INGEST = 'westus-0.in.applicationinsights.azure.com';
const IKEY = '11111111-2222-3333-4444-555555555555';
const PYTHON_UA =
  'azsdk-python-monitor-opentelemetry-exporter/1.0.0b30 Python/3.11.4 (Linux-6.1-x86_64-with-glibc2.36)';
const now = () => Math.floor(Date.now() / 1000);
const TOKEN = makeJwt({
  aud: 'https://monitor.azure.com',
  iss: 'https://sts.windows.net/72f988bf-0000-0000-0000-000000000000/',
  tid: '72f988bf-0000-0000-0000-000000000000',
  oid: 'aaaaaaaa-0000-0000-0000-000000000001',
  appid: 'bbbbbbbb-0000-0000-0000-000000000002',
  iat: now() - 60,
  nbf: now() - 60,
  exp: now() + 3600,
});

const envelopes = (n: number) =>
  JSON.stringify(
    Array.from({ length: n }, () => ({
      ver: 1,
      name: 'Microsoft.ApplicationInsights.Request',
      time: new Date().toISOString(),
      iKey: IKEY,
      tags: { 'ai.internal.sdkVersion': 'py3.11:otel1.25.0:ext1.0.0b30' },
      data: {
        baseType: 'RequestData',
        baseData: {
          ver: 2,
          id: 'r',
          name: 'GET /',
          duration: '00:00:00.001',
          success: true,
          responseCode: '200',
        },
      },
    })),
  );

const refusedItems = (n: number, statusCode: number, message: string) => ({
  itemsReceived: n,
  itemsAccepted: 0,
  appId: null,
  errors: Array.from({ length: n }, (_, index) => ({ index, statusCode, message })),
});

function answer(status: number, reason: string, body: unknown) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, reason, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
}

interface Row {
  name: string;
  path: '/v2.1/track' | '/v2/track';
  token: boolean;
  status: number;
  reason: string;
  body: unknown;
  /** Exact finding ids on the line. */
  ids: string[];
  severity?: [string, string];
}

const ROWS: Row[] = [
  // Item 1
  {
    name: 'item 1: /v2.1 400 without a token, no cause named (the Python case)',
    path: '/v2.1/track',
    token: false,
    status: 400,
    reason: 'Bad Request',
    body: { itemsReceived: 2, itemsAccepted: 0, appId: null, errors: [] },
    ids: ['TOKEN_MISSING'],
    severity: ['TOKEN_MISSING', 'warning'],
  },
  {
    name: 'item 1: /v2.1 401 without a token',
    path: '/v2.1/track',
    token: false,
    status: 401,
    reason: 'Unauthorized',
    body: refusedItems(2, 401, 'Authentication required'),
    ids: ['TOKEN_MISSING'],
    severity: ['TOKEN_MISSING', 'error'],
  },
  // Item 2
  {
    name: 'item 2: /v2.1 400 "Authentication not supported" listing an error per item: no PARTIAL_ACCEPTANCE',
    path: '/v2.1/track',
    token: false,
    status: 400,
    reason: 'Authentication not supported',
    body: refusedItems(2, 400, 'Authentication not supported'),
    ids: ['TOKEN_MISSING'],
    severity: ['TOKEN_MISSING', 'error'],
  },
  {
    name: 'item 2 negative: /v2.1 400 for one item with a schema error is a partial acceptance',
    path: '/v2.1/track',
    token: false,
    status: 400,
    reason: 'Bad Request',
    body: {
      itemsReceived: 2,
      itemsAccepted: 1,
      appId: null,
      errors: [
        {
          index: 0,
          statusCode: 400,
          message: "109: Field 'time' on type 'Envelope' is required but missing or empty.",
        },
      ],
    },
    ids: ['PARTIAL_ACCEPTANCE'],
  },
  // Item 3
  {
    name: 'item 3: /v2/track with a valid bearer token, 400 "Authentication not supported"',
    path: '/v2/track',
    token: true,
    status: 400,
    reason: 'Authentication not supported',
    body: refusedItems(2, 400, 'Authentication not supported'),
    ids: ['TOKEN_SENT_TO_V2_PATH'],
    severity: ['TOKEN_SENT_TO_V2_PATH', 'error'],
  },
  {
    name: 'item 3: /v2/track with a valid bearer token, 401 (as the classic .NET SDK gets)',
    path: '/v2/track',
    token: true,
    status: 401,
    reason: 'Unauthorized',
    body: refusedItems(2, 401, 'Authentication required'),
    ids: ['TOKEN_SENT_TO_V2_PATH'],
    severity: ['TOKEN_SENT_TO_V2_PATH', 'error'],
  },
  {
    name: 'item 3 negative: /v2/track 401 without a token is the Entra-only refusal',
    path: '/v2/track',
    token: false,
    status: 401,
    reason: 'Unauthorized',
    body: refusedItems(2, 401, 'Authentication required'),
    ids: ['ENTRA_ONLY_RESOURCE_V2_PATH', 'V2_PATH_CANNOT_CARRY_ENTRA'],
  },
];

/** curl through the proxy; resolves with its exit code and the HTTP status it saw. */
function curl(
  proxyPort: number,
  caFile: string,
  bodyFile: string,
  row: Row,
): Promise<{ code: number | null; out: string }> {
  const args = [
    '--silent',
    '--show-error',
    '--max-time',
    '20',
    '--proxy',
    `http://127.0.0.1:${proxyPort}`,
    '--cacert',
    caFile,
    '--output',
    '/dev/null',
    '--write-out',
    '%{http_code}',
    '-H',
    'Content-Type: application/json',
    '-H',
    `User-Agent: ${PYTHON_UA}`,
    ...(row.token ? ['-H', `Authorization: Bearer ${TOKEN}`] : []),
    '--data-binary',
    `@${bodyFile}`,
    `https://${INGEST}${row.path}`,
  ];
  return new Promise((resolve) => {
    // Only loopback: the proxy is on 127.0.0.1 and resolves the Azure name to the local upstream.
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('issue 11 items 1–3 through the running proxy, with curl as the client', () => {
  let upstream: TestUpstream;
  let proxy: TestProxy;
  const tmp = tempDir('aiproxy-article-');
  const caFile = path.join(tmp.dir, 'proxy-ca.pem');
  const bodyFile = path.join(tmp.dir, 'body.json');

  beforeAll(async () => {
    upstream = await startUpstream([INGEST]);
    const upstreamCa = path.join(tmp.dir, 'upstream-ca.pem');
    writeFileSync(upstreamCa, upstream.caPem);
    writeFileSync(bodyFile, envelopes(2));
    proxy = await startTestProxy({
      resolve: [`${INGEST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [upstreamCa],
    });
    writeFileSync(caFile, proxy.caPem);
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
    tmp.cleanup();
  });

  it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    upstream.handler = answer(row.status, row.reason, row.body);
    const before = proxy.exchanges().length;
    const result = await curl(proxy.port, caFile, bodyFile, row);
    expect(result).toEqual({ code: 0, out: String(row.status) });
    const line = (await proxy.waitForExchanges(before + 1, 10000))[before];
    expect(line.exchange.request.path).toBe(row.path);
    expect(line.exchange.response.status).toBe(row.status);
    expect(line.analysis.runtime).toBe('python');
    const ids = line.findings.map((f: { id: string }) => f.id).sort();
    expect(ids).toEqual([...row.ids].sort());
    if (row.severity) {
      const f = line.findings.find((x: { id: string }) => x.id === row.severity![0]);
      expect(f.severity).toBe(row.severity[1]);
    }
    if (row.ids.includes('TOKEN_MISSING')) {
      const f = line.findings.find((x: { id: string }) => x.id === 'TOKEN_MISSING');
      expect(f.guidance.runtime).toBe('python');
      expect(f.guidance.fix.join('\n')).toMatch(/SDK's own log[\s\S]*network errors/);
    }
    if (row.ids.includes('TOKEN_SENT_TO_V2_PATH')) {
      const f = line.findings.find((x: { id: string }) => x.id === 'TOKEN_SENT_TO_V2_PATH');
      expect(f.title).toContain('/v2.1/track');
      expect(proxy.raw()).not.toContain(TOKEN);
    }
  });
});
