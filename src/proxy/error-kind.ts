import type { ExchangeError, ExchangeErrorKind } from '../model/exchange';

const TLS_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|EPROTO)/;

/** Which of our error kinds an upstream failure is, and what the client is answered. */
export function classifyUpstreamError(err: NodeJS.ErrnoException & { viaProxy?: string }): ExchangeError & {
  status: 502 | 504;
} {
  const code = err.code ?? (err.name === 'AbortError' ? 'ABORT_ERR' : undefined);
  let kind: ExchangeErrorKind;
  if (code === 'ECONNREFUSED') kind = err.viaProxy ? 'UPSTREAM_PROXY_FAILED' : 'UPSTREAM_REFUSED';
  else if (code === 'UPSTREAM_PROXY_REFUSED') kind = 'UPSTREAM_PROXY_FAILED';
  else if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(err.message))
    kind = 'UPSTREAM_RESET';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') kind = 'UPSTREAM_DNS_FAILED';
  else if (code === 'ETIMEDOUT' || code === 'ABORT_ERR' || code === 'UPSTREAM_TIMEOUT')
    kind = 'UPSTREAM_TIMEOUT';
  else if ((code && TLS_CODES.test(code)) || /certificate|ssl|tls/i.test(err.message))
    kind = 'UPSTREAM_TLS_FAILED';
  else kind = 'UPSTREAM_FAILED';
  // Failed while talking to the --upstream-proxy, before its CONNECT answer: its failure, not the service's.
  if (err.viaProxy && kind !== 'UPSTREAM_TIMEOUT') kind = 'UPSTREAM_PROXY_FAILED';
  return { kind, message: err.message, code, status: kind === 'UPSTREAM_TIMEOUT' ? 504 : 502 };
}

/** The TLS alert a client sent when it refused our certificate, read from OpenSSL's message. */
export function tlsAlertOf(message: string): string | undefined {
  const m = /alert ([a-z ]+?)(?:\s*\(|:|$)/i.exec(message) ?? /SSL alert number (\d+)/i.exec(message);
  return m ? m[1]!.trim().toLowerCase() : undefined;
}

/** Alerts meaning "I do not trust the certificate you showed me". */
export const CERT_REJECTION_ALERTS = new Set([
  'unknown ca',
  'certificate unknown',
  'bad certificate',
  'unsupported certificate',
  'certificate revoked',
  'certificate expired',
  'access denied',
  '42',
  '46',
  '48',
]);
