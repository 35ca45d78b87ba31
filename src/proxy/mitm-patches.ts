/**
 * Targeted fixes to http-mitm-proxy 1.1.0 (see docs/design-notes.md). Applied once, at import:
 * - its final request/response filters always report "written", so a slow reader made the proxy
 *   buffer whole bodies in memory; ours return false while the destination is full and emit
 *   'drain' when it empties, so pipe() applies real backpressure in both directions;
 * - it would create and store its own CA (1-year validity, world-readable key) at listen(); we
 *   terminate TLS ourselves with our CA, so its CA is never made.
 */
import { EventEmitter } from 'node:events';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const requestFilterModule = require('http-mitm-proxy/dist/lib/ProxyFinalRequestFilter');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const responseFilterModule = require('http-mitm-proxy/dist/lib/ProxyFinalResponseFilter');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const caModule = require('http-mitm-proxy/dist/lib/ca');

type Filter = EventEmitter & { write: (chunk: Buffer) => boolean };

function withBackpressure(Base: new (proxy: any, ctx: any) => Filter, destination: (ctx: any) => any) {
  return class BackpressureFilter extends Base {
    constructor(proxy: any, ctx: any) {
      super(proxy, ctx);
      const write = this.write;
      this.write = (chunk: Buffer) => {
        write(chunk);
        const dest = destination(ctx);
        if (dest && dest.writableNeedDrain && !dest.destroyed) {
          dest.once('drain', () => this.emit('drain'));
          return false;
        }
        return true;
      };
    }
  };
}

let applied = false;

export function applyMitmPatches(): void {
  if (applied) return;
  applied = true;
  requestFilterModule.ProxyFinalRequestFilter = withBackpressure(
    requestFilterModule.ProxyFinalRequestFilter,
    (ctx) => ctx.proxyToServerRequest,
  );
  responseFilterModule.ProxyFinalResponseFilter = withBackpressure(
    responseFilterModule.ProxyFinalResponseFilter,
    (ctx) => ctx.proxyToClientResponse,
  );
  caModule.CA.create = (_dir: string, callback: (err: Error | null, ca: unknown) => void) =>
    callback(null, { unused: 'TLS is terminated by src/proxy/tls-terminator.ts with our own CA' });
}

applyMitmPatches();
