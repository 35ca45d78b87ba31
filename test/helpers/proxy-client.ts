import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

export interface ProxiedResponse {
  status: number;
  reason: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  peerCertificate?: tls.PeerCertificate;
}

/**
 * Sends one raw CONNECT to the proxy and resolves with everything read until the connection
 * closes (at most 10 s): the proxy's own answer, and, once tunnelled, what `after` brought back.
 */
export function connectAnswer(proxyPort: number, target: string, after = ''): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    let got = '';
    let sent = false;
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (after && !sent && got.includes('200 Connection established\r\n\r\n')) {
        sent = true;
        socket.write(after);
      }
    });
    socket.on('close', () => resolve(got));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10_000, () => socket.destroy());
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

/** Opens a CONNECT tunnel through the proxy and returns the raw socket (after "200"). */
export function connectTunnel(
  proxyPort: number,
  target: string,
  extraHeaders: Record<string, string> = {},
  httpVersion = '1.1',
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    const headerLines = Object.entries(extraHeaders)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.once('error', reject);
    // A proxy that dies (kill -9) closes the socket with a FIN and no error: without this the
    // promise never settled, and a test waiting for its clients hung until jest's timeout.
    socket.once('close', () =>
      reject(new Error(`the proxy closed the connection before answering CONNECT ${target}`)),
    );
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer to CONNECT ${target} within 30 s`)));
    socket.write(`CONNECT ${target} HTTP/${httpVersion}\r\n${headerLines}\r\n`);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.removeListener('data', onData);
      const statusLine = buffered.subarray(0, buffered.indexOf('\r\n')).toString();
      const rest = buffered.subarray(end + 4);
      if (!/^HTTP\/1\.[01] 200/.test(statusLine)) {
        socket.destroy();
        reject(new Error(`CONNECT refused: ${statusLine}`));
        return;
      }
      if (rest.length) socket.unshift(rest);
      socket.removeListener('error', reject);
      socket.setTimeout(0);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

export interface HttpsViaProxyOptions {
  proxyPort: number;
  host: string;
  port?: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  ca: string | string[];
  connectHttpVersion?: string;
}

/** A TLS connection to `host` through a new CONNECT tunnel; fails after `timeoutMs`. */
export async function tlsThroughProxy(
  proxyPort: number,
  host: string,
  ca: string | string[],
  options: { port?: number; connectHttpVersion?: string; timeoutMs?: number } = {},
): Promise<tls.TLSSocket> {
  const raw = await connectTunnel(
    proxyPort,
    `${host}:${options.port ?? 443}`,
    {},
    options.connectHttpVersion,
  );
  const socket = tls.connect({ socket: raw, servername: host, ca });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TLS through the proxy to ${host} took over ${options.timeoutMs ?? 5000} ms`));
    }, options.timeoutMs ?? 5000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return socket;
}

/** Writes a raw request (latin1 bytes) and resolves with everything read, as latin1, until the server closes. */
export function rawExchange(socket: tls.TLSSocket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(Buffer.from(request, 'latin1'));
  });
}

/** One HTTPS request through a fresh CONNECT tunnel (the exporter's pattern). */
export async function httpsViaProxy(options: HttpsViaProxyOptions): Promise<ProxiedResponse> {
  const port = options.port ?? 443;
  const socket = await tlsThroughProxy(options.proxyPort, options.host, options.ca, {
    port,
    connectHttpVersion: options.connectHttpVersion,
  });
  const peerCertificate = socket.getPeerCertificate();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        createConnection: () => socket,
        host: options.host,
        port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: { host: options.host, connection: 'close', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            reason: res.statusMessage!,
            headers: res.headers,
            body: Buffer.concat(chunks),
            peerCertificate,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A plain-HTTP request to the proxy itself (absolute-form target or origin-form). */
export function plainViaProxy(
  proxyPort: number,
  target: string,
  method = 'GET',
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: proxyPort, method, path: target, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            reason: res.statusMessage!,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
