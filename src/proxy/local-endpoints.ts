import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A page or data endpoint served on the proxy's own address besides the built-in ones (the
 * inspector, /metrics, ...). Added by the wiring, so the relay does not know what they serve.
 * `handle` returns false when the path is not its own, and the next route (or the built-ins) runs.
 */
export interface LocalRoute {
  readonly name: string;
  handle(pathname: string, req: IncomingMessage, res: ServerResponse): boolean;
}

export interface LocalEndpointContext {
  caCertPem: string;
  listening: string;
  startedAt: number;
  counters: () => Record<string, number>;
  routes?: readonly LocalRoute[];
}

/**
 * Requests addressed to the proxy itself are answered here and never forwarded (forwarding them
 * would loop back into the proxy). `/healthz` for probes, `/ca.pem` to fetch the CA like
 * mitmproxy's onboarding page.
 */
export function answerLocally(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  ctx: LocalEndpointContext,
): void {
  const pathname = path.split('?')[0] ?? path;
  for (const route of ctx.routes ?? []) if (route.handle(pathname, req, res)) return;
  const send = (status: number, type: string, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(405, 'text/plain; charset=utf-8', 'appinsights-auth-proxy: only GET and HEAD are served locally\n', {
      allow: 'GET, HEAD',
    });
    return;
  }
  switch (pathname) {
    case '/healthz':
      send(
        200,
        'application/json',
        `${JSON.stringify({ status: 'ok', uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000), ...ctx.counters() })}\n`,
      );
      return;
    case '/ca.pem':
      send(200, 'application/x-pem-file', ctx.caCertPem, {
        'content-disposition': 'attachment; filename="appinsights-auth-proxy-ca.pem"',
      });
      return;
    case '/':
      send(
        200,
        'text/plain; charset=utf-8',
        [
          'appinsights-auth-proxy: a proxy, not a web server.',
          `Point your app's proxy at ${ctx.listening} and trust the CA from /ca.pem.`,
          'GET /healthz  liveness',
          'GET /ca.pem   the CA certificate',
          '',
        ].join('\n'),
      );
      return;
    default:
      send(404, 'text/plain; charset=utf-8', `appinsights-auth-proxy: no local page ${pathname}\n`);
  }
}
