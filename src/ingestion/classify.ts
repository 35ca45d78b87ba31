import type { Exchange } from '../model/exchange';
import { parseJsonBody } from './body';
import { type EnvelopeSummary, summarizeEnvelopes } from './envelopes';

export type RequestKind =
  | 'track-v2'
  | 'track-v2.1'
  | 'live-ping'
  | 'live-post'
  | 'statsbeat'
  | 'token'
  | 'instance-discovery'
  | 'openid-configuration'
  | 'imds-token'
  | 'appservice-msi-token'
  | 'profiler'
  | 'appid-lookup'
  | 'onesettings'
  | 'other';

export const TRACK_KINDS: readonly RequestKind[] = ['track-v2', 'track-v2.1', 'statsbeat'];
export const LIVE_KINDS: readonly RequestKind[] = ['live-ping', 'live-post'];
export const ENTRA_KINDS: readonly RequestKind[] = ['token', 'instance-discovery', 'openid-configuration'];
export const MANAGED_IDENTITY_KINDS: readonly RequestKind[] = ['imds-token', 'appservice-msi-token'];

/** Path rules, first match wins; the path is matched without its query, lower-cased. */
const PATH_RULES: [RegExp, RequestKind][] = [
  // An endpoint with a trailing slash gives '//v2.1/track' (Python); an endpoint may carry a path prefix.
  [/(^|\/)v2\.1\/track\/?$/, 'track-v2.1'],
  [/(^|\/)v2\/track\/?$/, 'track-v2'],
  [/\/quickpulseservice\.svc\/ping$/, 'live-ping'],
  [/\/quickpulseservice\.svc\/post$/, 'live-post'],
  [/^\/metadata\/identity\/oauth2\/token\/?$/, 'imds-token'],
  [/\/msi\/token\/?$/, 'appservice-msi-token'],
  [/\/oauth2(\/v2\.0)?\/token\/?$/, 'token'],
  [/\/discovery\/instance\/?$/, 'instance-discovery'],
  [/\/\.well-known\/openid-configuration\/?$/, 'openid-configuration'],
  [/\/api\/profiles\/[^/]+\/appid\/?$/, 'appid-lookup'],
  [/\/api\/(profileragent\/|apps\/[^/]+\/artifactkinds\/)/, 'profiler'],
  [/\/azmonsdkdynamicconfiguration(changes)?\/?$/, 'onesettings'],
];

function pathOf(exchange: Exchange): string {
  const path = exchange.request.path || '/';
  const q = path.indexOf('?');
  return (q === -1 ? path : path.slice(0, q)).toLowerCase();
}

/** Kind from method, host and path alone (no body). */
export function classifyByPath(exchange: Exchange): RequestKind {
  if (exchange.request.method.toUpperCase() === 'CONNECT') return 'other';
  const path = pathOf(exchange);
  for (const [pattern, kind] of PATH_RULES) {
    if (!pattern.test(path)) continue;
    // Telemetry is POSTed: a browser's CORS preflight (OPTIONS) to /v2/track carries none, and by
    // rule no Authorization either, so reading it as a track request flagged a missing token.
    const track = kind === 'track-v2' || kind === 'track-v2.1';
    return track && exchange.request.method.toUpperCase() !== 'POST' ? 'other' : kind;
  }
  const host = exchange.request.host.toLowerCase();
  if (host === 'settings.sdk.monitor.azure.com') return 'onesettings';
  if (host.endsWith('.azureserviceprofiler.net') || host.startsWith('profiler.monitor.azure.'))
    return 'profiler';
  return 'other';
}

/**
 * What the request is. A track request whose envelopes are all SDK self-telemetry is 'statsbeat';
 * pass the envelope summary when the body was already parsed, so that it is parsed only once.
 */
export function classifyRequest(exchange: Exchange, envelopes?: EnvelopeSummary): RequestKind {
  const kind = classifyByPath(exchange);
  if (kind !== 'track-v2.1' && kind !== 'track-v2') return kind;
  const summary = envelopes ?? summarizeEnvelopes(parseJsonBody(exchange.request.body.text).documents);
  return summary.count > 0 && summary.statsbeat === summary.count ? 'statsbeat' : kind;
}
