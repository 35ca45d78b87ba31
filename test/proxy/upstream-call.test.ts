import http, { type OutgoingHttpHeaders } from 'node:http';
import { guardedLookup } from '../../src/proxy/exposure';
import {
  aimUpstream,
  answerUpstreamFailure,
  type ClientResponse,
  exchangeErrorOf,
  isClientSideError,
  type UpstreamDeps,
  upstreamFailure,
  type UpstreamRequestOptions,
} from '../../src/proxy/upstream-call';

const errno = (code: string, message = `connect ${code}`) => Object.assign(new Error(message), { code });

/** A client response that records what it was told (no socket). */
class RecordingResponse implements ClientResponse {
  headersSent = false;
  destroyed = false;
  head?: { status: number; reason: string; headers: OutgoingHttpHeaders };
  body?: string;
  writeHead(status: number, reason: string, headers: OutgoingHttpHeaders) {
    this.head = { status, reason, headers };
    this.headersSent = true;
  }
  end(body: string) {
    this.body = body;
  }
  destroy() {
    this.destroyed = true;
  }
}

describe('upstream error mapping', () => {
  it.each([
    ['ECONNREFUSED', 'UPSTREAM_REFUSED', 502],
    ['ECONNRESET', 'UPSTREAM_RESET', 502],
    ['EPIPE', 'UPSTREAM_RESET', 502],
    ['ENOTFOUND', 'UPSTREAM_DNS_FAILED', 502],
    ['EAI_AGAIN', 'UPSTREAM_DNS_FAILED', 502],
    ['ETIMEDOUT', 'UPSTREAM_TIMEOUT', 504],
    ['CERT_HAS_EXPIRED', 'UPSTREAM_TLS_FAILED', 502],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UPSTREAM_TLS_FAILED', 502],
    ['UPSTREAM_PROXY_REFUSED', 'UPSTREAM_PROXY_FAILED', 502],
    ['UPSTREAM_UNEXPECTED_UPGRADE', 'UPSTREAM_FAILED', 502],
  ])('%s → %s (%d)', (code, kind, status) => {
    const failure = upstreamFailure(errno(code), false, 30_000);
    expect(failure).toMatchObject({ kind, status, code });
  });

  it('our own timer wins over whatever error the destroyed request reports', () => {
    const failure = upstreamFailure(errno('ECONNRESET', 'socket hang up'), true, 1234);
    expect(failure).toEqual({
      kind: 'UPSTREAM_TIMEOUT',
      message: 'no response from upstream within 1234 ms',
      code: 'UPSTREAM_TIMEOUT',
      status: 504,
    });
  });

  it('the exchange keeps the error without the answer status', () => {
    expect(exchangeErrorOf(upstreamFailure(errno('ECONNREFUSED'), false, 1))).toEqual({
      kind: 'UPSTREAM_REFUSED',
      message: 'connect ECONNREFUSED',
      code: 'ECONNREFUSED',
    });
  });

  it('answers 502/504 with the kind when no head was sent yet', () => {
    const res = new RecordingResponse();
    answerUpstreamFailure(res, upstreamFailure(errno('ECONNREFUSED'), false, 1));
    expect(res.head).toEqual({
      status: 502,
      reason: 'Bad Gateway',
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'content-length': Buffer.byteLength(res.body!),
        'x-appinsights-auth-proxy-error': 'UPSTREAM_REFUSED',
      },
    });
    expect(res.body).toBe('appinsights-auth-proxy: UPSTREAM_REFUSED: connect ECONNREFUSED\n');
    expect(res.destroyed).toBe(false);

    const late = new RecordingResponse();
    answerUpstreamFailure(late, upstreamFailure(errno('X'), true, 5));
    expect(late.head).toMatchObject({ status: 504, reason: 'Gateway Timeout' });
  });

  it('cuts the connection when the failure comes mid-body (never a clean end)', () => {
    const res = new RecordingResponse();
    res.headersSent = true;
    answerUpstreamFailure(res, upstreamFailure(errno('ECONNRESET'), false, 1));
    expect(res.destroyed).toBe(true);
    expect(res.head).toBeUndefined();
    expect(res.body).toBeUndefined();
  });

  it('knows the client-side error kinds of the library', () => {
    expect(isClientSideError('CLIENT_TO_PROXY_REQUEST_ERROR')).toBe(true);
    expect(isClientSideError('PROXY_TO_CLIENT_RESPONSE_ERROR')).toBe(true);
    expect(isClientSideError('PROXY_TO_SERVER_REQUEST_ERROR')).toBe(false);
    expect(isClientSideError('PEER_VALUE_ERROR')).toBe(false);
  });
});

describe('aiming the upstream request', () => {
  const httpsAgent = new http.Agent();
  const httpAgent = new http.Agent();
  afterAll(() => {
    httpsAgent.destroy();
    httpAgent.destroy();
  });
  const deps: UpstreamDeps = {
    httpsAgent,
    httpAgent,
    timeoutMs: 1000,
    guardFor: (local) => (local ? undefined : guardedLookup),
  };
  const options = (headers: Record<string, string>): UpstreamRequestOptions => ({
    host: 'evil.example',
    port: 1,
    path: 'http://evil.example/',
    headers,
    agent: new http.Agent(),
  });

  it('goes to the route target (never the Host header) through our agent, with SNI', () => {
    const o = options({ host: 'evil.example' });
    aimUpstream(
      o,
      { scheme: 'https', target: { host: 'in.example', port: 8443 }, path: '/v2.1/track?a=1', local: true },
      deps,
    );
    expect(o).toMatchObject({
      host: 'in.example',
      port: 8443,
      path: '/v2.1/track?a=1',
      servername: 'in.example',
    });
    expect(o.agent).toBe(httpsAgent);
    expect(o.lookup).toBeUndefined();
    expect(o.headers.host).toBe('evil.example');
  });

  it('plain http: our plain agent, no SNI; a client that is not local gets the guarded lookup', () => {
    const o = options({});
    aimUpstream(
      o,
      { scheme: 'http', target: { host: 'in.example', port: 80 }, path: '/', local: false },
      deps,
    );
    expect(o.agent).toBe(httpAgent);
    expect(o.servername).toBeUndefined();
    expect(o.lookup).toBe(guardedLookup);
  });

  it('drops hop-by-hop headers and those the Connection header names, keeps transfer-encoding', () => {
    const o = options({
      connection: 'keep-alive, X-Hop, transfer-encoding',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'x',
      upgrade: 'h2c',
      'x-hop': '1',
      'transfer-encoding': 'chunked',
      'content-type': 'application/json',
    });
    aimUpstream(
      o,
      { scheme: 'https', target: { host: 'in.example', port: 443 }, path: '/', local: true },
      deps,
    );
    expect(o.headers).toEqual({ 'transfer-encoding': 'chunked', 'content-type': 'application/json' });
  });
});
