import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { openConnection, type ProxyAddress } from './tunnel';
import type { SeenExchange } from './exchange-of';

const MAX_RESPONSE = 64 * 1024;

/**
 * One HTTPS POST, directly or through the --via proxy's CONNECT tunnel (as the SDKs do), on a
 * fresh connection. Never throws: a failure is part of what is reported.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  via: ProxyAddress | undefined,
  timeoutMs: number,
): Promise<SeenExchange> {
  const start = Date.now();
  const target = new URL(url);
  const port = Number(target.port || 443);
  const seen: SeenExchange = {
    scope: 'ingestion',
    method: 'POST',
    url,
    requestHeaders: {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
    },
    requestBody: body,
    start,
  };
  let socket;
  try {
    socket = (await openConnection(target.hostname, port, via, timeoutMs)).socket;
  } catch (err) {
    return { ...seen, error: (err as Error).message };
  }
  return new Promise((resolve) => {
    const req = https.request({
      method: 'POST',
      host: target.hostname,
      port,
      path: `${target.pathname}${target.search}`,
      headers: seen.requestHeaders,
      // No agent: then (and only then) Node uses createConnection, i.e. our socket or tunnel.
      createConnection: () =>
        tls.connect({ socket, servername: net.isIP(target.hostname) ? undefined : target.hostname }),
      timeout: timeoutMs,
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (err) => resolve({ ...seen, error: err.message }));
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_RESPONSE) text += chunk;
      });
      res.once('end', () =>
        resolve({
          ...seen,
          status: res.statusCode,
          reason: res.statusMessage,
          responseHeaders: Object.fromEntries(
            Object.entries(res.headers).map(([k, v]) => [
              k,
              Array.isArray(v) ? v.join(', ') : String(v ?? ''),
            ]),
          ),
          responseBody: text.slice(0, MAX_RESPONSE),
        }),
      );
      res.once('error', (err) => resolve({ ...seen, error: err.message }));
    });
    req.end(body);
  });
}
