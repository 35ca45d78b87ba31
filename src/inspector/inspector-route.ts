import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../fake/incoming';
import type { LocalRoute } from '../proxy/local-endpoints';
import { harFrom } from '../sinks/har';
import type { Report } from '../sinks/report';
import { loadPageAssets, type PageAsset } from './page-assets';
import { fromOwnPage, hostIsOwn, makeBasicAuthCheck } from './request-guard';
import { type DetailContext, sessionDetail } from './session-detail';
import type { SessionFeed } from './session-feed';
import type { SessionHistory } from './session-history';
import type { SessionRow } from './session-row';
import { expandGuidance } from '../diagnosis/guidance-ref';

/** What the page shows: a live proxy's history, or a saved log (read-only). */
export interface InspectorSource {
  mode: 'live' | 'file';
  /** Shown in the page's title bar: the proxy's address or the log file. */
  title: string;
  history: SessionHistory;
  feed: SessionFeed;
  report(): Report;
  detailContext: DetailContext;
  /** Live only: forget every session and start the verdict again. */
  clear?(): void;
}

/** The first message of the feed and the answer of /api/sessions. */
export interface SessionsSnapshot {
  mode: 'live' | 'file';
  title: string;
  rows: SessionRow[];
  report: Report;
  history: { limit: number; held: number; dropped: number };
}

export function snapshotOf(source: InspectorSource): SessionsSnapshot {
  const { history } = source;
  return {
    mode: source.mode,
    title: source.title,
    rows: history.rows(),
    report: source.report(),
    history: { limit: history.maxEntries, held: history.size, dropped: history.dropped },
  };
}

/** No inline script or style, nothing from another origin, never framed. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
};

const PAGE_PATHS = new Set(['/', '/inspector/app.js', '/inspector/app.css', '/inspector/icon.svg']);

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown, extra = {}) =>
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, extra);

const text = (res: ServerResponse, status: number, message: string, extra = {}) =>
  send(res, status, 'text/plain; charset=utf-8', `appinsights-auth-proxy inspector: ${message}\n`, extra);

/** Each session once: a list naming one 1 MB record thousands of times must not build a HAR that big. */
function parseSeqList(value: string | null): number[] | undefined {
  if (value === null) return undefined;
  const seqs = value
    .split(',')
    .map((s) => Number(s))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
  return [...new Set(seqs)];
}

/** A posted list of session numbers: every one of the largest --ui-history, with room to spare. */
const MAX_SEQ_LIST_BYTES = 16 * 1024 * 1024;

export interface InspectorRouteOptions {
  /** --proxy-auth USER:PASS: the page and its data ask for the same, as HTTP Basic. */
  credentials?: string;
  /** Where the built page lives (tests may point elsewhere). */
  pageDir?: string;
  /** Host names that are this proxy besides IP literals and localhost (`--host` when it is a name). */
  ownNames?: string[];
}

/** The page and its data endpoints, on the proxy's own address (or `inspect`'s own server). */
export function inspectorRoute(source: InspectorSource, options: InspectorRouteOptions = {}): LocalRoute {
  const authorized = makeBasicAuthCheck(options.credentials);
  const assets = loadPageAssets(options.pageDir);

  function servePage(pathname: string, req: IncomingMessage, res: ServerResponse): void {
    if (!(assets instanceof Map)) {
      text(res, 503, `the page was not built (${assets.missing} is missing): run npm run build`);
      return;
    }
    const asset = assets.get(pathname) as PageAsset;
    send(res, 200, asset.type, req.method === 'HEAD' ? '' : asset.body);
  }

  /** The chosen sessions (all when no list) as a HAR download. */
  function sendHar(res: ServerResponse, wanted: number[] | undefined): void {
    try {
      const chosen = wanted
        ? wanted.flatMap((seq) => {
            const s = source.history.get(seq);
            return s ? [s] : [];
          })
        : source.history.all();
      const har = harFrom(chosen.map((s) => expandGuidance(JSON.parse(s.json))));
      json(res, 200, har, { 'content-disposition': 'attachment; filename="appinsights-auth-proxy.har"' });
    } catch (err) {
      if (!res.headersSent) text(res, 500, (err as Error).message);
      else res.destroy();
    }
  }

  function serveData(pathname: string, req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? pathname, 'http://inspector.invalid');
    if (pathname === '/api/clear') {
      if (req.method !== 'POST') return text(res, 405, 'POST only', { allow: 'POST' });
      if (!source.clear) return text(res, 405, 'read-only: this page shows a saved log');
      // A POST from a page always carries Origin; without it, it did not come from ours.
      if (req.headers.origin === undefined) return text(res, 403, 'no Origin');
      source.clear();
      res.writeHead(204, COMMON_HEADERS).end();
      return;
    }
    if (pathname === '/api/har' && req.method === 'POST') {
      // The page posts the sessions it shows: thousands of numbers do not fit in a URL (16 KB).
      if (req.headers.origin === undefined) return text(res, 403, 'no Origin');
      readBody(req, MAX_SEQ_LIST_BYTES).then(
        (body) => sendHar(res, parseSeqList(body.toString('latin1'))),
        (err: Error) => text(res, 413, err.message),
      );
      req.resume(); // http-mitm-proxy pauses each request before its hooks; this one is answered here
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return text(res, 405, 'only GET and HEAD', { allow: 'GET, HEAD' });
    if (pathname === '/api/events') {
      // HEAD gets the head only: a feed attached to it would never send its head nor end.
      if (req.method === 'HEAD') return send(res, 200, 'text/event-stream; charset=utf-8', '');
      return source.feed.attach(req, res);
    }
    if (pathname === '/api/sessions') return json(res, 200, snapshotOf(source));
    const one = /^\/api\/sessions\/(\d{1,15})$/.exec(pathname);
    if (one) {
      const stored = source.history.get(Number(one[1]));
      if (!stored) return json(res, 404, { error: 'no such session (cleared, or beyond --ui-history)' });
      const record = expandGuidance(JSON.parse(stored.json));
      return json(res, 200, {
        seq: stored.seq,
        row: stored.row,
        record,
        detail: sessionDetail(record, source.detailContext),
      });
    }
    if (pathname === '/api/har') return sendHar(res, parseSeqList(url.searchParams.get('seq')));
    return text(res, 404, `no endpoint ${pathname}`);
  }

  return {
    name: 'inspector',
    handle(pathname, req, res) {
      const isPage = PAGE_PATHS.has(pathname);
      if (!isPage && !pathname.startsWith('/api/') && !pathname.startsWith('/inspector/')) return false;
      try {
        if (!hostIsOwn(req, options.ownNames)) {
          text(
            res,
            403,
            'refused: open the page by the address printed at start (an IP address or localhost), not by another name',
          );
          return true;
        }
        if (!fromOwnPage(req, isPage)) {
          text(res, 403, 'refused: the request does not come from this page');
          return true;
        }
        if (!authorized(req)) {
          text(res, 401, 'credentials required (the --proxy-auth user and password)', {
            'www-authenticate': 'Basic realm="appinsights-auth-proxy inspector", charset="UTF-8"',
          });
          return true;
        }
        if (isPage) {
          if (req.method !== 'GET' && req.method !== 'HEAD')
            text(res, 405, 'only GET and HEAD', { allow: 'GET, HEAD' });
          else servePage(pathname, req, res);
        } else if (pathname.startsWith('/api/')) serveData(pathname, req, res);
        else text(res, 404, `no page ${pathname}`);
      } catch (err) {
        // A bad record must not take the proxy down: say so on this request only.
        if (!res.headersSent) text(res, 500, (err as Error).message);
        else res.destroy();
      }
      return true;
    },
  };
}
