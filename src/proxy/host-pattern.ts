import { isIP } from 'node:net';
import { isValidHost } from './connect-target';

/**
 * The one spelling of an --intercept/--no-intercept pattern that the scope compares with a
 * CONNECT host: lower case, without the fully qualified name's trailing dot (`host.:443` is
 * matched as `host`) and without an IPv6 literal's brackets (the CONNECT host has none).
 */
export function normalizeHostPattern(pattern: string): string {
  return pattern
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '');
}

/** A pattern the scope can ever match: a host name, an IP literal, or `*.` and a domain. */
export function isValidHostPattern(normalized: string): boolean {
  if (isIP(normalized)) return true;
  const name = normalized.startsWith('*.') ? normalized.slice(2) : normalized;
  return name.length > 0 && !name.includes('*') && isValidHost(name);
}
