import { CLOUDS } from '../ingestion/clouds';
import { isControlPath } from './control';
import { isAppIdPath } from './fake-app-id';
import { isEntraPath } from './fake-entra';
import { isIdentityPath } from './fake-identity';
import { isTrackPath } from './fake-ingestion';
import { isLiveMetricsPath } from './fake-live-metrics';

export type Route = 'control' | 'entra' | 'identity' | 'track' | 'live-metrics' | 'app-id' | 'not-found';

/** Login hosts of every cloud: requests to them always reach the fake Entra. */
export const ENTRA_HOSTS: readonly string[] = CLOUDS.flatMap((c) => c.loginHosts);

/**
 * Which fake answers: by Host first (one listener serves every Azure name), then by path, so a
 * request to an unexpected name (`login.test`, `127.0.0.1`) still finds its service.
 */
export function routeOf(host: string, path: string, extraEntraHosts: readonly string[] = []): Route {
  if (isControlPath(path)) return 'control';
  if (ENTRA_HOSTS.includes(host) || extraEntraHosts.includes(host) || isEntraPath(path)) return 'entra';
  if (isIdentityPath(path)) return 'identity';
  if (isTrackPath(path)) return 'track';
  if (isLiveMetricsPath(path)) return 'live-metrics';
  if (isAppIdPath(path)) return 'app-id';
  return 'not-found';
}
