/**
 * Targeted fixes to http-mitm-proxy 1.1.0 (see docs/design-notes.md). Applied once, at import:
 * - its final request/response filters always report "written", so a slow reader made the proxy
 *   buffer whole bodies in memory; ours return false while the destination is full and emit
 *   'drain' when it empties, so pipe() applies real backpressure in both directions;
 * - it would create and store its own CA (1-year validity, world-readable key) at listen(); we
 *   terminate TLS ourselves with our CA, so its CA is never made.
 */
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { IContext, IProxy } from 'http-mitm-proxy';

type Filter = EventEmitter & { write: (chunk: Buffer) => boolean };
type FilterClass = new (proxy: IProxy, ctx: IContext) => Filter;
type CaCreate = (dir: string, callback: (err: Error | null, ca: unknown) => void) => void;

type RequestFilterModule = { ProxyFinalRequestFilter: FilterClass };
type ResponseFilterModule = { ProxyFinalResponseFilter: FilterClass };

// The library's own modules, patched in place (its index re-exports only Proxy and the types).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requestFilterModule: RequestFilterModule = require('http-mitm-proxy/dist/lib/ProxyFinalRequestFilter');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const responseFilterModule: ResponseFilterModule = require('http-mitm-proxy/dist/lib/ProxyFinalResponseFilter');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const caModule: { CA: { create: CaCreate } } = require('http-mitm-proxy/dist/lib/ca');

function withBackpressure(
  Base: FilterClass,
  destination: (ctx: IContext) => Writable | undefined,
): FilterClass {
  return class BackpressureFilter extends Base {
    constructor(proxy: IProxy, ctx: IContext) {
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
  caModule.CA.create = (_dir, callback) =>
    callback(null, { unused: 'TLS is terminated by src/proxy/tls-terminator.ts with our own CA' });
}

applyMitmPatches();
