import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { createCa, type CertificateAuthority } from '../../src/certs/ca';
import { startFakeServices, type FakeServices, type FakeServicesOptions } from '../../src/fake';

export const INGESTION_HOST = 'westus-0.in.applicationinsights.azure.com';
export const LIVE_HOST = 'westus.livediagnostics.monitor.azure.com';
export const LOGIN_HOST = 'login.microsoftonline.com';
export const IKEY = '11111111-2222-3333-4444-555555555555';

export interface Reply {
  status: number;
  reason: string;
  headers: IncomingHttpHeaders;
  text: string;
  json(): any;
}

export interface SendOptions {
  method?: string;
  path: string;
  /** Real Azure name: used for SNI and the Host header, while the socket goes to 127.0.0.1. */
  host?: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
}

/** A plain HTTPS client that trusts only our CA, like an SDK with NODE_EXTRA_CA_CERTS. */
export function send(fake: FakeServices, ca: CertificateAuthority, options: SendOptions): Promise<Reply> {
  const host = options.host ?? INGESTION_HOST;
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: fake.port,
        servername: host,
        ca: ca.certPem,
        method: options.method ?? 'POST',
        path: options.path,
        headers: { host, ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A JS-exporter-like envelope; override any field, `undefined` removes it. */
export function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    ver: 1,
    name: 'Microsoft.ApplicationInsights.Request',
    time: new Date().toISOString(),
    sampleRate: 100,
    iKey: IKEY,
    tags: { 'ai.cloud.role': 'fake-test' },
    data: {
      baseType: 'RequestData',
      baseData: {
        ver: 2,
        id: '1',
        name: 'GET /',
        duration: '00:00:00.001',
        success: true,
        responseCode: '200',
      },
    },
  };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

export function jsonArray(...items: unknown[]): string {
  return JSON.stringify(items);
}

export function gzipJson(...items: unknown[]): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(items)));
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

/** Collects log lines in memory. */
export class MemoryLog extends Writable {
  readonly lines: string[] = [];
  _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** A CA in a temporary directory, removed by `dispose`. */
export async function makeTestCa(): Promise<{ ca: CertificateAuthority; dispose(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-ca-'));
  const ca = await createCa(path.join(dir, 'certs'));
  return { ca, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a fake on port 0 with our CA and an in-memory log. */
export async function startTestFake(
  ca: CertificateAuthority,
  options: Partial<FakeServicesOptions> = {},
): Promise<{ fake: FakeServices; log: MemoryLog }> {
  const log = new MemoryLog();
  const fake = await startFakeServices({ ca, port: 0, logDestination: log, ...options });
  return { fake, log };
}
