import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i;

/** A DNS name or an IP literal; anything else (paths, spaces, empty labels) is refused. */
export function isValidHost(host: string): boolean {
  if (isIP(host)) return true;
  if (host.length === 0 || host.length > 253) return false;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  return name.split('.').every((label) => LABEL.test(label));
}

/**
 * Parses a CONNECT request target ("host:port", "[v6]:port"). The target comes from the request
 * line, never from a Host header. Returns undefined for anything that is not a valid host and port.
 */
export function parseConnectTarget(target: string | undefined): HostPort | undefined {
  if (!target) return undefined;
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(target) ?? /^([^:[\]]+):(\d{1,5})$/.exec(target);
  if (!m) return undefined;
  const host = m[1]!.toLowerCase();
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  if (target.startsWith('[') ? isIP(host) !== 6 : !isValidHost(host)) return undefined;
  // `name.:443` (the fully qualified form, a Kubernetes ndots workaround) is the same host: scope,
  // leaf, upstream and log all use the name without the dot (a certificate's name has none).
  return { host: host.endsWith('.') ? host.slice(0, -1) : host, port };
}

/** host:port as it appears in URLs and logs ([v6]:port for IPv6). */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
