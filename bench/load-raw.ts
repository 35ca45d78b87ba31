/**
 * The bench's second load generator (issue 15): as little client as possible, so the figures
 * measure the proxy and not its client. Raw `tls` sockets through one CONNECT tunnel per lane,
 * writing one pre-built HTTP/1.1 request (a single Buffer, keep-alive) and parsing only the status
 * line, the framing (Content-Length or chunked) and the body. Several of these processes run side
 * by side (run.ts forks them), each with its share of the lanes, so one client core is never the
 * bottleneck. Every answer is checked: status 200 and the exact "accepted" body.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { CellResult } from './load';
import { acceptedResponse, bearerToken, BODIES, PATH, type Body } from './workload';

export interface RawCellRequest {
  type: 'cell';
  id: number;
  proxyUrl?: string;
  lanes: number;
  body: 'small' | 'large';
  token: 'fresh' | 'expired';
  host: string;
  warmupMs: number;
  durationMs: number;
  ca: string[];
}

/** What one worker answers: run.ts merges the workers' answers into one CellResult. */
export interface RawCellPart {
  total: number;
  errors: number;
  errorSamples: string[];
  latencies: number[];
}

const TIMEOUT_MS = 10_000;

function prebuilt(host: string, body: Body, token: string): Buffer {
  const head = [
    `POST ${PATH} HTTP/1.1`,
    `Host: ${host}`,
    `Authorization: Bearer ${token}`,
    ...Object.entries(body.headers).map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${body.payload.length}`,
    'Connection: keep-alive',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body.payload]);
}

/** Reads whole HTTP/1.1 responses off a socket, one at a time. */
class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: ((r: { status: number; body: string; close: boolean } | Error) => void) | undefined;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, c]) : c;
      this.tryParse();
    });
    const fail = (err: Error) => {
      const w = this.waiter;
      this.waiter = undefined;
      w?.(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  next(): Promise<{ status: number; body: string; close: boolean }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error('timeout'));
      }, TIMEOUT_MS);
      this.waiter = (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      this.tryParse();
    });
  }

  private tryParse(): void {
    if (!this.waiter) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const close = /\r\nconnection:\s*close/i.test(head);
    let body: Buffer;
    let used: number;
    if (length) {
      used = end + 4 + Number(length[1]);
      if (this.buf.length < used) return;
      body = this.buf.subarray(end + 4, used);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = end + 4;
      for (;;) {
        const lineEnd = this.buf.indexOf('\r\n', at);
        if (lineEnd === -1) return;
        const size = parseInt(this.buf.subarray(at, lineEnd).toString('latin1'), 16);
        if (size === 0) {
          if (this.buf.length < lineEnd + 4) return; // the final CRLF (no trailers expected)
          used = lineEnd + 4;
          break;
        }
        if (this.buf.length < lineEnd + 2 + size + 2) return;
        parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      return; // no framing: the bench upstream always frames its answers
    }
    const text = body.toString('utf8');
    this.buf = this.buf.subarray(used);
    const w = this.waiter;
    this.waiter = undefined;
    w({ status, body: text, close });
  }
}

/** One lane's connection: TCP to the proxy, CONNECT, then TLS to the host inside the tunnel. */
async function openLane(
  proxyUrl: string | undefined,
  host: string,
  ca: string[],
): Promise<{ socket: tls.TLSSocket; reader: ResponseReader }> {
  let raw: net.Socket | undefined;
  if (proxyUrl) {
    const u = new URL(proxyUrl);
    raw = net.connect(Number(u.port), u.hostname);
    raw.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('CONNECT timeout')), TIMEOUT_MS);
      let head = '';
      raw!.once('error', reject);
      raw!.on('connect', () => raw!.write(`CONNECT ${host}:443 HTTP/1.1\r\nHost: ${host}:443\r\n\r\n`));
      const onData = (c: Buffer) => {
        head += c.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        raw!.off('data', onData);
        clearTimeout(timer);
        if (!/^HTTP\/1\.[01] 200/.test(head)) reject(new Error(`CONNECT answered ${head.split('\r\n')[0]}`));
        else resolve();
      };
      raw!.on('data', onData);
    });
  }
  const socket = tls.connect({
    ...(raw ? { socket: raw } : { host, port: 443 }),
    servername: host,
    ca,
  });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, reader: new ResponseReader(socket) };
}

async function runCell(msg: RawCellRequest): Promise<RawCellPart> {
  const body = BODIES[msg.body];
  const token = bearerToken(msg.token === 'expired' ? -3600 : 7200);
  const request = prebuilt(msg.host, body, token);
  const expected = acceptedResponse(body.items);
  const t0 = performance.now();
  const measureFrom = t0 + msg.warmupMs;
  const until = measureFrom + msg.durationMs;
  const part: RawCellPart = { total: 0, errors: 0, errorSamples: [], latencies: [] };
  const lane = async () => {
    let conn: Awaited<ReturnType<typeof openLane>> | undefined;
    // Bounded by time, and by count as a backstop.
    for (let i = 0; i < 1_000_000 && performance.now() < until; i++) {
      const start = performance.now();
      try {
        conn ??= await openLane(msg.proxyUrl, msg.host, msg.ca);
        const answer = conn.reader.next();
        conn.socket.write(request);
        const r = await answer;
        if (r.status !== 200 || r.body !== expected)
          throw new Error(`status ${r.status}: ${r.body.slice(0, 80)}`);
        if (r.close) {
          conn.socket.destroy();
          conn = undefined;
        }
        part.total += 1;
        if (start >= measureFrom) part.latencies.push(performance.now() - start);
      } catch (err) {
        conn?.socket.destroy();
        conn = undefined;
        part.errors += 1;
        if (part.errorSamples.length < 3) part.errorSamples.push((err as Error).message);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    conn?.socket.destroy();
  };
  await Promise.all(Array.from({ length: msg.lanes }, lane));
  return part;
}

/** Merges the workers' parts of one cell (run.ts). */
export function mergeParts(parts: RawCellPart[], elapsedMs: number): CellResult {
  const latencies = parts.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!
      : NaN;
  return {
    requests: latencies.length,
    total: parts.reduce((s, p) => s + p.total, 0),
    errors: parts.reduce((s, p) => s + p.errors, 0),
    errorSamples: parts.flatMap((p) => p.errorSamples).slice(0, 3),
    elapsedMs,
    rps: (latencies.length / elapsedMs) * 1000,
    p50: pct(50),
    p99: pct(99),
  };
}

if (require.main === module) {
  process.on('message', (msg: RawCellRequest) => {
    runCell(msg).then(
      (result) => process.send!({ id: msg.id, result }),
      (err: Error) => process.send!({ id: msg.id, error: err.stack ?? err.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
