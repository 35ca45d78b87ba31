import dns from 'node:dns';
import net from 'node:net';
import type { HostPort } from './connect-target';
import type { ResolveMap } from './resolve-map';

/**
 * Who may make the proxy connect where. A proxy reachable from other machines (--host 0.0.0.0)
 * would otherwise let them reach this host's loopback-only services and the cloud metadata
 * endpoint (169.254.169.254), which hands out managed-identity tokens. So, for a client that is
 * not local, destinations on loopback and link-local addresses are refused, unless the operator
 * says --allow-private-destinations.
 */

/** Loopback, "this host" and link-local (which holds 169.254.169.254, the metadata endpoint). */
const PRIVATE = new net.BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('0.0.0.0', 8, 'ipv4'); // connecting to 0.0.0.0 reaches this host's loopback on Linux
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/** Loopback only (a BlockList also matches IPv4-mapped IPv6, in dotted or hex form). */
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

function inList(list: net.BlockList, address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = net.isIP(bare);
  if (family === 0) return false;
  return list.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}

/** True for an address on loopback or link-local, IPv4-mapped IPv6 included. */
export function isPrivateDestination(address: string): boolean {
  return inList(PRIVATE, address);
}

/** True when the address is a loopback address (127/8, ::1, IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address ? inList(LOOPBACK, address) : false;
}

/**
 * A client is local when its connection comes from a loopback address. A connection from another
 * address of this same machine counts as not local: stricter, and it is what the socket shows.
 */
export function isLocalClient(remoteAddress: string | undefined): boolean {
  return isLoopbackAddress(remoteAddress);
}

/** True for a --host value that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

export class DestinationRefused extends Error {
  readonly code = 'EPRIVATEDEST';
  constructor(readonly destination: string) {
    super(
      `${destination} is on loopback or link-local, refused for a client that is not on this machine (--allow-private-destinations allows it)`,
    );
  }
}

/** dns.lookup that fails with DestinationRefused when a name resolves to a private address. */
export const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) {
      callback(err, '', 4);
      return;
    }
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateDestination(a.address));
    if (bad) {
      callback(new DestinationRefused(`${hostname} (${bad.address})`) as NodeJS.ErrnoException, '', 4);
      return;
    }
    if (options.all) callback(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  });
};

export interface DestinationPolicy {
  allowPrivate: boolean;
  resolve: ResolveMap;
  /** Names are resolved by an --upstream-proxy on its own host: only IP literals are checked here. */
  namesResolvedUpstream?: boolean;
}

/**
 * Whether a client may go to `target`: undefined when allowed, else why not. The check is on
 * the destination the client asked for: an IP literal as is, a name by what it resolves to now.
 * A --resolve rule is the operator's own choice and is not second-guessed. Connections made for
 * such clients also use guardedLookup, so a name that changes its answer later is caught too.
 */
export async function refusedDestination(
  target: HostPort,
  clientLocal: boolean,
  policy: DestinationPolicy,
): Promise<DestinationRefused | undefined> {
  if (clientLocal || policy.allowPrivate) return undefined;
  const mapped = policy.resolve.lookup(target.host, target.port);
  if (mapped.host !== target.host || mapped.port !== target.port) return undefined;
  if (net.isIP(target.host.replace(/^\[|\]$/g, ''))) {
    return isPrivateDestination(target.host) ? new DestinationRefused(target.host) : undefined;
  }
  if (target.host.toLowerCase().replace(/\.$/, '') === 'localhost')
    return new DestinationRefused(target.host);
  if (policy.namesResolvedUpstream) return undefined;
  return new Promise((resolve) => {
    guardedLookup(target.host, { all: true }, (err) =>
      resolve(err instanceof DestinationRefused ? err : undefined),
    );
  });
}
