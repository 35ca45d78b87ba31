import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { createCa } from '../../src/certs/ca';
import { LeafIssuer } from '../../src/certs/leaf-issuer';
import { runCli, type CliProcess } from '../helpers/cli-process';
import { httpsViaProxy, plainViaProxy, type ProxiedResponse } from '../helpers/proxy-client';
import { tempDir } from '../helpers/tmp';
import { withTimeout } from './fixture';

/**
 * Item 1 of issue 14: no byte an upstream sends may crash the proxy. A raw upstream answers
 * each request with a head built from its path: one byte 0x00-0x1f or 0x7f in the reason phrase,
 * a header name or a header value, plus 1xx, trailer and 101 variants. The proxy runs as the
 * built CLI (a crash would end the process, not just fail an assertion); after every hostile
 * answer a healthy request must still pass, in scope (TLS intercepted) and out of scope (plain).
 */

const IN_SCOPE = 'westus-0.in.applicationinsights.azure.com';
const BYTES = [...Array.from({ length: 32 }, (_, i) => i), 0x7f];
const PLACES = ['reason', 'name', 'value'] as const;
const EXTRAS = ['info-reason', 'info-header', 'trailer', 'switching'] as const;

/** The raw response for a request path /case/<place>/<byte> (latin1: one byte per char). */
function hostileHead(place: string, byte: number): string {
  const c = String.fromCharCode(byte);
  const body = 'ok';
  const ok = `Content-Length: ${body.length}\r\n\r\n${body}`;
  switch (place) {
    case 'reason':
      return `HTTP/1.1 200 O${c}K\r\n${ok}`;
    case 'name':
      return `HTTP/1.1 200 OK\r\nX-Bad${c}Name: v\r\n${ok}`;
    case 'value':
      return `HTTP/1.1 200 OK\r\nX-Bad-Value: a${c}b\r\n${ok}`;
    case 'info-reason':
      return `HTTP/1.1 103 Early${c}Hints\r\nLink: </a>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n${ok}`;
    case 'info-header':
      return `HTTP/1.1 103 Early Hints\r\nLink: </a${c}>\r\n\r\nHTTP/1.1 200 OK\r\n${ok}`;
    case 'trailer':
      return `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2\r\nok\r\n0\r\nX-T: a${c}b\r\n\r\n`;
    case 'switching':
      return `HTTP/1.1 101 Switch${c}ing\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n`;
    default:
      return `HTTP/1.1 200 OK\r\n${ok}`;
  }
}

/** Answers every request on the socket from its path, then closes (one request per connection). */
function answerRaw(socket: net.Socket): void {
  socket.on('error', () => socket.destroy());
  let head = '';
  socket.on('data', (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (!head.includes('\r\n\r\n')) return;
    const m = /^\S+ \/case\/([a-z-]+)\/(\d+)/.exec(head);
    socket.end(Buffer.from(m ? hostileHead(m[1]!, Number(m[2])) : hostileHead('healthy', 0), 'latin1'));
    head = '';
  });
}

interface Upstreams {
  plainPort: number;
  tlsPort: number;
  caFile: string;
  close(): void;
}

async function startHostileUpstreams(dir: string): Promise<Upstreams> {
  const ca = await createCa(path.join(dir, 'upstream-ca'));
  const issuer = await LeafIssuer.create(ca);
  const caFile = path.join(dir, 'upstream-ca.pem');
  writeFileSync(caFile, ca.certPem);
  const plain = net.createServer(answerRaw);
  const secure = tls.createServer({ key: issuer.leafKeyPem, cert: issuer.issuePem(IN_SCOPE) }, answerRaw);
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  return {
    plainPort: (plain.address() as net.AddressInfo).port,
    tlsPort: (secure.address() as net.AddressInfo).port,
    caFile,
    close() {
      plain.close();
      secure.close();
    },
  };
}

/** What the client may see: the response (sanitised) or a 502 from the proxy; nothing else. */
function expectSafeAnswer(res: ProxiedResponse, what: string): void {
  if (res.status === 502) {
    expect(res.headers['x-appinsights-auth-proxy-error']).toBeDefined();
    return;
  }
  expect({ what, status: res.status }).toEqual({ what, status: 200 });
  expect(res.body.toString()).toBe('ok');
  // eslint-disable-next-line no-control-regex
  expect(res.reason).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f]/);
  for (const [name, value] of Object.entries(res.headers)) {
    // eslint-disable-next-line no-control-regex
    expect(`${name}: ${String(value)}`).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f]/);
  }
}

describe('a hostile upstream cannot crash the proxy (built CLI)', () => {
  const tmp = tempDir('aiproxy-hostile-');
  let upstreams: Upstreams;
  let proxy: CliProcess;
  let port: number;
  let proxyCa: string;

  beforeAll(async () => {
    upstreams = await startHostileUpstreams(tmp.dir);
    const caDir = path.join(tmp.dir, 'certs');
    proxy = runCli([
      'start',
      '--port=0',
      `--ca-dir=${caDir}`,
      '--log-format=json',
      '--summary=false',
      `--resolve=${IN_SCOPE}:443=127.0.0.1:${upstreams.tlsPort}`,
      `--upstream-ca=${upstreams.caFile}`,
    ]);
    const line = await proxy.waitForLine((l) => typeof l.listening === 'string', 30_000);
    port = Number(String(line.listening).split(':').pop());
    proxyCa = readFileSync(path.join(caDir, 'ca.pem'), 'utf8');
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    upstreams?.close();
    tmp.cleanup();
  });

  const inScope = (p: string) => httpsViaProxy({ proxyPort: port, host: IN_SCOPE, path: p, ca: proxyCa });
  const outOfScope = (p: string) => plainViaProxy(port, `http://127.0.0.1:${upstreams.plainPort}${p}`);

  const sides = [
    ['in scope (TLS intercepted)', inScope],
    ['out of scope (plain http through the proxy)', outOfScope],
  ] as const;

  for (const [side, send] of sides) {
    it(`${side}: every control byte in reason, header name and value; still serving after each`, async () => {
      const cases = [...PLACES, ...EXTRAS].flatMap((place) => BYTES.map((byte) => ({ place, byte })));
      let relayed = 0;
      for (const { place, byte } of cases) {
        const what = `${place} 0x${byte.toString(16)}`;
        const res = await withTimeout(send(`/case/${place}/${byte}`), 20_000, what).then(
          (r) => r,
          (err: Error) => ({ error: err.message }),
        );
        // The proxy may cut a connection it cannot finish (a trailer Node's parser refused
        // after the head was relayed: the client must see a truncated answer, not a clean end)...
        if ('error' in res) {
          expect({ what, cut: true }).toEqual({ what, cut: place === 'trailer' });
        } else {
          expectSafeAnswer(res, what);
          if (res.status === 200) relayed += 1;
        }
        // ...but it keeps serving: the next normal request passes, and the process is alive.
        const healthy = await send('/healthy');
        expect({ what, status: healthy.status, body: healthy.body.toString() }).toEqual({
          what,
          status: 200,
          body: 'ok',
        });
        expect(proxy.child.exitCode).toBeNull();
      }
      // Node's client accepts most of these bytes in a reason phrase: those must be relayed (sanitised).
      expect(relayed).toBeGreaterThanOrEqual(30);
    }, 180_000);
  }

  it('a reason phrase with control bytes is replaced by the standard one and logged', async () => {
    const res = await outOfScope(`/case/reason/${0x1b}`);
    expect(res.status).toBe(200);
    expect(res.reason).toBe('OK');
    const notice = await proxy.waitForLine(
      (l) => /sanitised/.test(String(l.msg)) && l.reasonPhrase === 'O\\x1bK',
    );
    expect(notice.level).toBeDefined();
  });
});
