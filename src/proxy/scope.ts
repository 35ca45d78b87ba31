import { CLOUDS, DEFAULT_INTERCEPT_PATTERNS } from '../ingestion/clouds';
import { type ConnectionString, connectionStringHosts } from '../ingestion/connection-string';
import type { Scope } from '../model/exchange';
import { normalizeHostPattern } from './host-pattern';

/** "*.example.com" matches any sub-domain (not example.com itself); other patterns match exactly. */
function matches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1));
  return host === p;
}

const LOGIN_HOSTS = new Set(CLOUDS.flatMap((c) => c.loginHosts));
const LIVE_HINTS = ['.livediagnostics.monitor.', 'rt.services.visualstudio.com', 'live.'];

export interface ScopeOptions {
  connectionStrings: ConnectionString[];
  intercept: string[];
  noIntercept: string[];
  /** Leave out the well-known Azure Monitor and Entra hosts (only connection strings and --intercept). */
  noDefaults?: boolean;
}

/** Decides which hosts are decrypted (and how they are labelled); everything else is tunnelled. */
export class ScopeMatcher {
  readonly patterns: string[];
  private readonly excluded: string[];
  private readonly liveHosts: Set<string>;

  constructor(options: ScopeOptions) {
    const csHosts = options.connectionStrings.flatMap(connectionStringHosts);
    this.liveHosts = new Set(
      options.connectionStrings.map((cs) => new URL(cs.liveEndpoint).hostname.toLowerCase()),
    );
    const all = [...(options.noDefaults ? [] : DEFAULT_INTERCEPT_PATTERNS), ...csHosts, ...options.intercept];
    this.patterns = [...new Set(all.map(normalizeHostPattern))];
    this.excluded = options.noIntercept.map(normalizeHostPattern);
  }

  /** The scope of an intercepted host, or undefined when the host is only tunnelled. */
  scopeOf(host: string): Scope | undefined {
    const h = host.toLowerCase().replace(/\.$/, '');
    if (this.excluded.some((p) => matches(p, h))) return undefined;
    if (!this.patterns.some((p) => matches(p, h))) return undefined;
    return classifyHost(h, this.liveHosts);
  }
}

export function classifyHost(host: string, liveHosts: Set<string> = new Set()): Scope {
  if (LOGIN_HOSTS.has(host)) return 'token';
  if (host === '169.254.169.254' || host === '169.254.129.8') return 'managed-identity';
  if (liveHosts.has(host) || LIVE_HINTS.some((hint) => host.includes(hint))) return 'live-metrics';
  if (CLOUDS.some((c) => c.monitorSuffixes.some((s) => host.endsWith(s)))) return 'ingestion';
  return 'other';
}
