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
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (isIP(name) || !NUMERIC_IPV4.test(name)) return { host: name, port };
  const dotted = dottedIpv4(name);
  return dotted ? { host: dotted, port } : undefined;
}

/** Labels all numbers (2130706433, 127.1, 0x7f.1, 0177.0.0.1): an IPv4 address to the resolver. */
const NUMERIC_IPV4 = /^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}$/i;

/**
 * The dotted form of such a host, as absolute-form URLs get it (the WHATWG parser), so loop
 * detection, the exposure rules and the log see the address the connection would reach.
 */
function dottedIpv4(host: string): string | undefined {
  try {
    const parsed = new URL(`http://${host}/`).hostname;
    return isIP(parsed) === 4 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** host:port as it appears in URLs and logs ([v6]:port for IPv6). */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
