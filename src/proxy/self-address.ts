import os from 'node:os';
import type { HostPort } from './connect-target';
import { isLoopbackAddress } from './exposure';

/** True when `target` is the proxy's own listener (a request that would loop back to us). */
export function isSelfAddress(target: HostPort, listening: HostPort | undefined): boolean {
  if (!listening || target.port !== listening.port) return false;
  const h = target.host;
  if (h === listening.host || h === 'localhost' || isLoopbackAddress(h) || h === '0.0.0.0' || h === '::')
    return true;
  // Listening on every interface: any address of this machine reaches us too.
  const everyInterface = listening.host === '0.0.0.0' || listening.host === '::';
  return (
    everyInterface && Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === h))
  );
}
