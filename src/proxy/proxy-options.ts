import type { CertificateAuthority } from '../certs/ca';
import type { TunnelStats } from './blind-tunnel';
import type { LiveExchange } from './live-exchange';
import type { LocalRoute } from './local-endpoints';
import type { Notice } from './relay-state';
import type { ScopeMatcher } from './scope';

export interface ProxyServerOptions {
  host: string;
  port: number;
  ca: CertificateAuthority;
  scope: ScopeMatcher;
  resolve: string[];
  upstreamCa: string[];
  upstreamInsecure: boolean;
  upstreamProxy?: string;
  upstreamTimeoutMs: number;
  idleTimeoutMs: number;
  maxCaptureBytes: number;
  proxyAuth?: string;
  /** Let clients that are not local reach loopback and link-local destinations (off by default). */
  allowPrivateDestinations?: boolean;
  /** Capture intercepted exchanges (off: relay only, for measuring the analysis' cost). */
  capture: boolean;
  /** Extra pages and data endpoints on the proxy's own address (tried before the built-ins). */
  localRoutes?: readonly LocalRoute[];
}

export interface ProxyServerEvents {
  /** An intercepted exchange finished (or failed): raw notes, to be recorded off the relay's path. */
  exchange: [LiveExchange];
  /** A blind (not decrypted) tunnel closed. */
  tunnel: [TunnelStats & { client: string }];
  /** Something worth a log line that is not an exchange (bad CONNECT, library noise, ...). */
  notice: [Notice];
}
