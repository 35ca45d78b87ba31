import type { Rule } from '../rule';

/**
 * OpenSSL codes of a hello the proxy itself refused: nothing in common (ALPN, version, cipher).
 * The client may trust the CA perfectly well; it never got to see the certificate.
 */
const INCOMPATIBLE_HELLO = new Set([
  'ERR_SSL_NO_APPLICATION_PROTOCOL',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_NO_SHARED_CIPHER',
]);

/** The client refused (or dropped) the proxy's certificate, or went away before the answer. */
export const clientTlsRule: Rule = {
  name: 'client-tls',
  emits: ['CLIENT_DOES_NOT_TRUST_PROXY_CA', 'CLIENT_TLS_INCOMPATIBLE', 'CLIENT_ABORTED'],
  evaluate(ctx) {
    const error = ctx.exchange.error;
    if (!error) return [];
    const host = ctx.exchange.connect?.target ?? `${ctx.exchange.request.host}:${ctx.exchange.request.port}`;
    const evidence = {
      host,
      errorKind: error.kind,
      alert: error.alert ?? null,
      code: error.code ?? null,
      message: error.message,
      caCertPath: ctx.options.caCertPath ?? null,
    };
    if (error.kind === 'CLIENT_TLS_REJECTED') {
      return [
        {
          id: 'CLIENT_DOES_NOT_TRUST_PROXY_CA',
          title: `The client rejected the proxy's certificate for ${host}${error.alert ? ` (TLS alert "${error.alert}")` : ''}: it does not trust the proxy CA`,
          evidence,
        },
      ];
    }
    if (error.kind === 'CLIENT_TLS_FAILED' && error.code && INCOMPATIBLE_HELLO.has(error.code)) {
      return [
        {
          id: 'CLIENT_TLS_INCOMPATIBLE',
          title: `The client's TLS handshake for ${host} offered nothing the proxy speaks (${error.code}): not a CA problem`,
          evidence,
        },
      ];
    }
    if (error.kind === 'CLIENT_TLS_FAILED') {
      // Some clients (the JS exporter) close without an alert when they distrust the CA: only "likely".
      return [
        {
          id: 'CLIENT_DOES_NOT_TRUST_PROXY_CA',
          severity: 'warning',
          title: `The client dropped the TLS handshake for ${host}: it likely does not trust the proxy CA`,
          evidence,
        },
      ];
    }
    if (error.kind === 'CLIENT_ABORTED') {
      return [
        {
          id: 'CLIENT_ABORTED',
          title: `The client closed the connection to ${host} before the exchange completed`,
          evidence: { ...evidence, caCertPath: null, status: ctx.status ?? null },
        },
      ];
    }
    return [];
  },
};
