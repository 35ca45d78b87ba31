import { createHash } from 'node:crypto';
import https from 'node:https';
import type net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCa } from '../../src/certs/ca';
import { LeafIssuer } from '../../src/certs/leaf-issuer';
import { tempDir } from './tmp';

export interface TestUpstream {
  port: number;
  caPem: string;
  /** Requests seen, with the sha256 of each body as received. */
  seen: { method: string; url: string; headers: IncomingMessage['headers']; sha256: string; size: number }[];
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
  /** TLS connections accepted so far. */
  tlsConnections: number;
  /** Connections open now. */
  openSockets(): number;
  close(): Promise<void>;
}

/**
 * A local HTTPS server standing in for an Azure host: its own test CA (not the proxy's), a leaf for
 * the given names, and a replaceable handler. The default handler echoes the body's sha256.
 */
export async function startUpstream(names: string[]): Promise<TestUpstream> {
  const { dir, cleanup } = tempDir('aiproxy-upstream-ca-');
  const ca = await createCa(dir);
  const issuer = await LeafIssuer.create(ca);
  const sockets = new Set<net.Socket>();
  const upstream: TestUpstream = {
    port: 0,
    caPem: ca.certPem,
    seen: [],
    handler: echoHandler,
    tlsConnections: 0,
    openSockets: () => sockets.size,
    close: async () => undefined,
  };
  const server = https.createServer(
    {
      SNICallback: (name, cb) => cb(null, issuer.contextFor(names.includes(name) ? name : names[0]!)),
      key: issuer.leafKeyPem,
      cert: issuer.issuePem(names[0]!) + issuer.chainPem,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        upstream.seen.push({
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          sha256: sha256(body),
          size: body.length,
        });
        upstream.handler(req, res, body);
      });
    },
  );
  server.on('secureConnection', () => {
    upstream.tlsConnections += 1;
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.port = (server.address() as net.AddressInfo).port;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => {
        cleanup();
        resolve();
      });
    });
  return upstream;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The default answer: a 200 ingestion response that echoes the sha256 of the body it received. */
export function echoHandler(_req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(
    JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, appId: null, errors: [], sha256: sha256(body) }),
  );
}
