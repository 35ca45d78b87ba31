import type { ExchangeErrorKind } from '../../model/exchange';
import { safePath } from '../evidence';
import type { FindingId } from '../finding-ids';
import type { Rule } from '../rule';

const BY_KIND: Partial<Record<ExchangeErrorKind, FindingId>> = {
  UPSTREAM_REFUSED: 'UPSTREAM_UNREACHABLE',
  UPSTREAM_RESET: 'UPSTREAM_UNREACHABLE',
  UPSTREAM_DNS_FAILED: 'UPSTREAM_UNREACHABLE',
  UPSTREAM_PROXY_FAILED: 'UPSTREAM_UNREACHABLE',
  UPSTREAM_FAILED: 'UPSTREAM_UNREACHABLE',
  UPSTREAM_TLS_FAILED: 'UPSTREAM_TLS_FAILED',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
};

const REASON: Partial<Record<ExchangeErrorKind, string>> = {
  UPSTREAM_REFUSED: 'connection refused',
  UPSTREAM_RESET: 'connection reset',
  UPSTREAM_DNS_FAILED: 'name did not resolve',
  UPSTREAM_PROXY_FAILED: 'upstream proxy failed',
  UPSTREAM_FAILED: 'connection failed',
  UPSTREAM_TLS_FAILED: 'TLS handshake with the service failed',
  UPSTREAM_TIMEOUT: 'timed out',
};

/**
 * An `HPE_` code is Node's HTTP parser refusing the upstream's answer (headers over 16 KB, a bad
 * header, two lengths): the service was reached, so "connection failed" sent readers to DNS.
 */
function reasonOf(kind: ExchangeErrorKind, code: string | undefined): string | undefined {
  if (kind === 'UPSTREAM_FAILED' && code?.startsWith('HPE_'))
    return 'its answer could not be read as HTTP/1.1';
  return REASON[kind];
}

export const upstreamRule: Rule = {
  name: 'upstream',
  emits: ['UPSTREAM_UNREACHABLE', 'UPSTREAM_TLS_FAILED', 'UPSTREAM_TIMEOUT'],
  evaluate(ctx) {
    const error = ctx.exchange.error;
    const id = error && BY_KIND[error.kind];
    if (!error || !id) return [];
    const { host, port } = ctx.exchange.request;
    return [
      {
        id,
        title: `The proxy could not complete the exchange with ${host}:${port}: ${reasonOf(error.kind, error.code)}${error.code ? ` (${error.code})` : ''}`,
        evidence: {
          host,
          port,
          path: safePath(ctx.exchange.request.path),
          errorKind: error.kind,
          code: error.code ?? null,
          message: error.message,
          upstream: ctx.exchange.upstream?.address ?? null,
          viaProxy: ctx.exchange.upstream?.viaProxy ?? null,
        },
      },
    ];
  },
};
