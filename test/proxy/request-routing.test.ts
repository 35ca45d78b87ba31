import http from 'node:http';
import net from 'node:net';
import type { TunnelInfo } from '../../src/proxy/connect-front-door';
import { routeRequest, type RoutingDeps } from '../../src/proxy/request-routing';

/** A request object on an unconnected socket (no network): url, headers and the client's address. */
function request(url: string, remoteAddress: string, headers: http.IncomingHttpHeaders = {}) {
  const socket = new net.Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: remoteAddress });
  const req = new http.IncomingMessage(socket);
  req.url = url;
  req.headers = headers;
  return req;
}

const TUNNEL: TunnelInfo = {
  target: { host: 'westus-0.in.applicationinsights.azure.com', port: 443 },
  scope: 'ingestion',
  connect: { target: 'westus-0.in.applicationinsights.azure.com:443', httpVersion: '1.1' },
  client: { address: '10.0.0.5', port: 4000 },
  local: false,
};

function deps(overrides: Partial<RoutingDeps> = {}): RoutingDeps {
  return {
    tunnelOf: () => undefined,
    originalUrl: () => undefined,
    isSelf: (t) => t.host === '127.0.0.1' && t.port === 8888,
    authorized: (h) => h['proxy-authorization'] === 'Basic ok',
    scopeOf: (host) => (host.endsWith('.applicationinsights.azure.com') ? 'ingestion' : undefined),
    destinations: { allowPrivate: false },
    ...overrides,
  };
}

describe('routing a request', () => {
  it('inside a tunnel: the CONNECT target, never the Host header', () => {
    const req = request('/v2.1/track', '10.0.0.5', { host: 'evil.example' });
    const routing = routeRequest(
      req,
      true,
      deps({ tunnelOf: (s) => (s === req.socket ? TUNNEL : undefined) }),
    );
    expect(routing).toEqual({
      kind: 'relay',
      checkDestination: false,
      route: {
        scheme: 'https',
        target: TUNNEL.target,
        path: '/v2.1/track',
        scope: 'ingestion',
        tunnel: TUNNEL,
        local: false,
      },
    });
  });

  it('inside a tunnel that is gone: a 500, not a guess', () => {
    expect(routeRequest(request('/', '127.0.0.1'), true, deps())).toMatchObject({
      kind: 'answer',
      status: 500,
    });
  });

  it('origin form, "*" and absolute URLs to ourselves are for the proxy itself', () => {
    expect(routeRequest(request('/ca.pem', '10.0.0.5'), false, deps())).toEqual({
      kind: 'local',
      path: '/ca.pem',
    });
    expect(routeRequest(request('*', '10.0.0.5'), false, deps())).toEqual({ kind: 'local', path: '*' });
    expect(routeRequest(request('http://127.0.0.1:8888/health?x=1', '10.0.0.5'), false, deps())).toEqual({
      kind: 'local',
      path: '/health?x=1',
    });
  });

  it('uses the target as the client sent it, not the library rewrite', () => {
    const req = request('/rewritten', '127.0.0.1', { 'proxy-authorization': 'Basic ok' });
    const routing = routeRequest(req, false, deps({ originalUrl: () => 'http://example.org:8080/a?b=c' }));
    expect(routing).toMatchObject({
      kind: 'relay',
      route: { scheme: 'http', target: { host: 'example.org', port: 8080 }, path: '/a?b=c', local: true },
    });
  });

  it('a malformed absolute target is a 400; missing proxy credentials a 407 with the challenge', () => {
    expect(routeRequest(request('http://[zz/', '127.0.0.1'), false, deps())).toMatchObject({
      kind: 'answer',
      status: 400,
    });
    expect(routeRequest(request('http://example.org/', '127.0.0.1'), false, deps())).toMatchObject({
      kind: 'answer',
      status: 407,
      headers: { 'proxy-authenticate': 'Basic realm="appinsights-auth-proxy"' },
    });
  });

  it('absolute https:// in clear: scope from the host, IPv6 brackets dropped, default ports filled', () => {
    const auth = { 'proxy-authorization': 'Basic ok' };
    expect(
      routeRequest(
        request('https://WestUS-0.in.applicationinsights.azure.com/v2/track', '127.0.0.1', auth),
        false,
        deps(),
      ),
    ).toMatchObject({
      kind: 'relay',
      checkDestination: false,
      route: {
        scheme: 'https',
        target: { host: 'westus-0.in.applicationinsights.azure.com', port: 443 },
        scope: 'ingestion',
      },
    });
    expect(routeRequest(request('http://[::1]/', '127.0.0.1', auth), false, deps())).toMatchObject({
      route: { target: { host: '::1', port: 80 }, scope: undefined },
    });
  });

  it('a client that is not local has its destination checked, unless private destinations are allowed', () => {
    const auth = { 'proxy-authorization': 'Basic ok' };
    const remote = () => request('http://example.org/', '10.0.0.5', auth);
    expect(routeRequest(remote(), false, deps())).toMatchObject({
      checkDestination: true,
      route: { local: false },
    });
    expect(routeRequest(remote(), false, deps({ destinations: { allowPrivate: true } }))).toMatchObject({
      checkDestination: false,
    });
  });
});
