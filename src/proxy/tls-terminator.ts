import type net from 'node:net';
import tls from 'node:tls';
import type { LeafIssuer } from '../certs/leaf-issuer';
import type { ExchangeError } from '../model/exchange';
import { CERT_REJECTION_ALERTS, tlsAlertOf } from './error-kind';

/**
 * Terminates the client's TLS inside a CONNECT tunnel with a leaf for the host, on the very
 * socket (no extra loopback hop, unlike http-mitm-proxy's per-host servers). The leaf is chosen
 * by SNI when the client sends one, else by the CONNECT host (IP literals send no SNI).
 * A handshake failure is reported with the alert the client sent, which tells "does not trust
 * our CA" apart from other failures.
 */
export function terminateTls(
  socket: net.Socket,
  connectHost: string,
  issuer: LeafIssuer,
  isInScope: (host: string) => boolean,
  onSecure: (tlsSocket: tls.TLSSocket) => void,
  /** `startedAt`: when this handshake began (the attempt's own time, not the time of the report). */
  onHandshakeError: (error: ExchangeError, startedAt: number) => void,
): tls.TLSSocket {
  const startedAt = Date.now();
  const tlsSocket = new tls.TLSSocket(socket, {
    isServer: true,
    secureContext: issuer.contextFor(connectHost),
    SNICallback: (servername, cb) => {
      try {
        cb(null, issuer.contextFor(isInScope(servername) ? servername : connectHost));
      } catch (err) {
        cb(err as Error, undefined);
      }
    },
    ALPNProtocols: ['http/1.1'],
  });
  let secured = false;
  let reported = false;
  const report = (error: ExchangeError) => {
    if (reported) return;
    reported = true;
    onHandshakeError(error, startedAt);
  };
  const closedWithoutAlert = (): ExchangeError => ({
    kind: 'CLIENT_TLS_FAILED',
    message: 'the client closed the connection during the TLS handshake without an alert',
  });
  tlsSocket.once('secure', () => {
    secured = true;
    onSecure(tlsSocket);
  });
  tlsSocket.on('error', (err: NodeJS.ErrnoException) => {
    if (!secured) {
      const alert = tlsAlertOf(err.message);
      report({
        kind: alert && CERT_REJECTION_ALERTS.has(alert) ? 'CLIENT_TLS_REJECTED' : 'CLIENT_TLS_FAILED',
        message: err.message,
        code: err.code,
        alert,
      });
    }
    tlsSocket.destroy();
  });
  // A client that distrusts the certificate may just close its side (Java's HttpClient sends a
  // ChangeCipherSpec, then FIN, no alert): that is an 'end' with the socket still half open, so
  // it is reported and closed now rather than at the idle timeout.
  tlsSocket.once('end', () => {
    if (secured) return;
    report(closedWithoutAlert());
    tlsSocket.destroy();
  });
  tlsSocket.once('close', () => {
    if (!secured) report(closedWithoutAlert());
  });
  return tlsSocket;
}
