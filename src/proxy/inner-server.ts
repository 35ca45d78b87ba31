import type http from 'node:http';
import type net from 'node:net';
import { formatHostPort, type HostPort } from './connect-target';
import type { Notice, RelayState } from './relay-state';
import { answerRaw, refuseInterceptedUpgrade } from './upgrade-handler';

/** Codes that are the client going away, not a request the parser refused. */
const GONE = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE', 'ERR_HTTP_REQUEST_TIMEOUT']);

/**
 * The decrypted side's own rules:
 *  - a connection quiet for --idle-timeout is closed, unless an exchange is under way on it: then
 *    a client not reading its answer is closed, a wait for the response head is the upstream
 *    timeout's to end, and an answer the upstream stopped sending is the upstream's failure (it was
 *    logged as the client's abort);
 *  - an upgrade, or a CONNECT, is refused (501: no WebSocket or tunnel is relayed inside an
 *    intercepted host), with a warning line;
 *  - a request Node's HTTP parser refuses (two Content-Lengths, Transfer-Encoding with
 *    Content-Length, a bad chunk size, headers over 16 KB) is answered as Node would, with a
 *    warning line giving the parser's code; Node used to answer it alone and nothing was logged,
 *    so the app got a 400 it could not tell from the service's;
 *  - an HTTP/1.0 request without Host is relayed to the tunnel's CONNECT target (routing uses it
 *    anyway): the library answered it "400 Host missing" itself, unlogged.
 */
export function configureInnerServer(
  server: http.Server,
  idleTimeoutMs: number,
  proxy: {
    /** Hands a decrypted request to the library's request path. */
    relay(req: http.IncomingMessage, res: http.ServerResponse): void;
    where(socket: net.Socket): { target: HostPort; client: { address: string } } | undefined;
    stateOf(res: http.ServerResponse): RelayState | undefined;
    notice(n: Notice): void;
  },
): void {
  const { relay, where, stateOf, notice } = proxy;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const tunnel = req.headers.host === undefined ? where(req.socket) : undefined;
    if (tunnel) req.headers.host = formatHostPort(tunnel.target);
    relay(req, res);
  });
  server.keepAliveTimeout = idleTimeoutMs;
  server.timeout = idleTimeoutMs;
  server.on('timeout', (socket: net.Socket) => {
    const res = (socket as net.Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
    const state = res && !res.writableFinished ? stateOf(res) : undefined;
    if (!state || !res || res.writableNeedDrain) socket.destroy();
    else if (res.headersSent) state.upstreamStalled(idleTimeoutMs);
    // else: waiting for the response head, which --upstream-timeout bounds
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) =>
    refuseInterceptedUpgrade(req, socket, where(socket), notice),
  );
  // A CONNECT inside a decrypted tunnel (a client that chains proxies) was closed without a word.
  server.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
    const at = where(socket);
    answerRaw(socket, '501 Not Implemented', 'CONNECT inside an intercepted host is not relayed');
    notice({
      level: 'warn',
      msg: 'refused a CONNECT inside an intercepted host (501)',
      target: at ? formatHostPort(at.target) : undefined,
      client: at?.client.address,
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    const answered = (socket as net.Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
      ?.headersSent;
    if (GONE.has(err.code ?? '') || !socket.writable || answered) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const at = where(socket);
    notice({
      level: 'warn',
      msg: `refused a request the proxy could not parse inside an intercepted host (${status.slice(0, 3)}: ${err.code ?? 'malformed'})`,
      target: at ? formatHostPort(at.target) : undefined,
      client: at?.client.address,
      error: err.code ?? err.message,
    });
    answerRaw(socket, status, `the request could not be parsed as HTTP/1.1 (${err.code ?? 'malformed'})`);
  });
}
