/**
 * The bench's helper processes, one per invocation: `node roles.js <role> <json-options>`.
 * - upstream: the stand-in ingestion service (HTTPS on :443, one wildcard leaf from its own CA),
 *   checking every body against the expected bytes (a damaged body is answered 400);
 * - tunnel: a plain CONNECT relay without decryption (the floor of any proxy);
 * - bare-mitm: http-mitm-proxy 1.1.0 with its defaults (no keep-alive to the upstream: a new TLS
 *   connection upstream for every request);
 * - bare-mitm-ka: the same library as a user would configure it in an afternoon (issue 15):
 *   `keepAlive: true` (pooled upstream connections) and TCP_NODELAY on the client's socket.
 * - node-floor: the least a decrypting relay costs in Node (issue 15): node:http parses the
 *   decrypted requests and a keep-alive https agent sends them on; no hooks, capture or log.
 *   Not a proxy anyone should run: the floor the CPU targets are read against.
 * Each prints one JSON line ({ready: true, ...}) on stdout once it listens.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCa } from '../src/certs/ca';
import { LeafIssuer } from '../src/certs/leaf-issuer';
import { acceptedResponse, BODIES, PATH } from './workload';

function ready(extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid, ...extra })}\n`);
}

async function upstream(opts: { port: number; dir: string; wildcard: string }): Promise<void> {
  const ca = await createCa(path.join(opts.dir, 'upstream-ca'));
  const issuer = await LeafIssuer.create(ca);
  const caFile = path.join(opts.dir, 'upstream-ca.pem');
  writeFileSync(caFile, ca.certPem);
  const expected = new Map<string, { sha: string; items: number; length: number }>();
  for (const body of Object.values(BODIES)) {
    expected.set(body.headers['content-encoding'] ?? 'identity', {
      sha: body.sha256,
      items: body.items,
      length: body.payload.length,
    });
  }
  const { createHash } = await import('node:crypto');
  let damaged = 0;
  const server = https.createServer(
    { key: issuer.leafKeyPem, cert: issuer.issuePem(opts.wildcard), keepAliveTimeout: 60_000 },
    (req, res) => {
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        const want = expected.get(String(req.headers['content-encoding'] ?? 'identity'));
        const auth = String(req.headers.authorization ?? '');
        const ok =
          req.method === 'POST' &&
          req.url === PATH &&
          auth.startsWith('Bearer ') &&
          want !== undefined &&
          size === want.length &&
          hash.digest('hex') === want.sha;
        if (!ok) {
          damaged += 1;
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(`damaged request (${damaged} so far)\n`);
          return;
        }
        const body = acceptedResponse(want.items);
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      });
    },
  );
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', 1024, resolve));
  ready({ caFile });
}

/** A CONNECT relay: parse the request head, connect, pipe both ways. No decryption, no HTTP inside. */
async function tunnel(opts: { port: number }): Promise<void> {
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    client.on('error', () => client.destroy());
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > 16384) client.destroy();
        return;
      }
      client.removeListener('data', onData);
      client.pause();
      const m = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/.exec(
        head.subarray(0, end + 2).toString('latin1'),
      );
      if (!m) {
        client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const rest = head.subarray(end + 4);
      const upstreamSocket = net.connect({ host: m[1], port: Number(m[2]) }, () => {
        upstreamSocket.setNoDelay(true);
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (rest.length) upstreamSocket.write(rest);
        client.pipe(upstreamSocket);
        upstreamSocket.pipe(client);
        client.resume();
      });
      upstreamSocket.on('error', () => {
        upstreamSocket.destroy();
        client.destroy();
      });
      client.on('close', () => upstreamSocket.destroy());
      upstreamSocket.on('close', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', 1024, resolve));
  ready();
}

/** http-mitm-proxy 1.1.0 exactly as its README starts it (the upstream CA comes from NODE_EXTRA_CA_CERTS). */
async function bareMitm(opts: { port: number; dir: string; keepAlive?: boolean }): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Proxy } = require('http-mitm-proxy') as typeof import('http-mitm-proxy');
  const quiet = () => undefined;
  console.log = quiet;
  console.debug = quiet;
  console.info = quiet;
  console.error = quiet;
  console.warn = quiet;
  const proxy = new Proxy();
  proxy.onError(() => undefined);
  if (opts.keepAlive) {
    proxy.onConnect((_req, socket, _head, callback) => {
      (socket as net.Socket).setNoDelay(true);
      callback();
    });
  }
  await new Promise<void>((resolve, reject) =>
    proxy.listen(
      { host: '127.0.0.1', port: opts.port, sslCaDir: opts.dir, keepAlive: opts.keepAlive === true },
      (err?: Error | null) => (err ? reject(err) : resolve()),
    ),
  );
  ready({ caFile: path.join(opts.dir, 'certs', 'ca.pem') });
}

/** See the file comment: CONNECT, a leaf per SNI name, node:http both ways, nothing else. */
async function nodeFloor(opts: { port: number; dir: string }): Promise<void> {
  const ca = await createCa(path.join(opts.dir, 'floor-ca'));
  const issuer = await LeafIssuer.create(ca);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const host = (req.socket as tls.TLSSocket).servername || String(req.headers.host);
    const up = https.request(
      { host, port: 443, servername: host, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (_req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    socket.setNoDelay(true);
    socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
    if (head.length) socket.unshift(head);
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      SNICallback: (name, done) => done(null, issuer.contextFor(name)),
    });
    secure.on('error', () => secure.destroy());
    server.emit('connection', secure);
  });
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', 1024, resolve));
  ready({ caFile: path.join(opts.dir, 'floor-ca', 'ca.pem') });
}

const role = process.argv[2];
const options = JSON.parse(process.argv[3] ?? '{}');
const roles: Record<string, (o: any) => Promise<void>> = {
  upstream,
  tunnel,
  'bare-mitm': bareMitm,
  'bare-mitm-ka': (o: { port: number; dir: string }) => bareMitm({ ...o, keepAlive: true }),
  'node-floor': nodeFloor,
};
const run = roles[role ?? ''];
if (!run) {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
run(options).catch((err: Error) => {
  process.stderr.write(`${role}: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
process.on('SIGTERM', () => process.exit(0));
