import { isIP } from 'node:net';
import forge from 'node-forge';

const { asn1 } = forge;

/**
 * X.509 Name Constraints (RFC 5280 §4.2.1.10) permitting only the given DNS domains and their
 * sub-domains, plus loopback addresses: a leaked CA key cannot impersonate any other site.
 */
export function nameConstraintsExtension(domains: string[]): { id: string; critical: boolean; value: string } {
  const subtree = (base: forge.asn1.Asn1) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [base]);
  const names = [...new Set(domains.map((d) => d.replace(/^\*?\./, '').toLowerCase()))];
  const dns = names
    .filter((d) => !isIP(d))
    .map((d) => subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, d)));
  // iPAddress [7]: address followed by mask. Loopback is always permitted (local tests); an IP
  // given as a domain (an --intercept of an address) is permitted exactly.
  const ip = (addr: number[], mask: number[]) =>
    subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, String.fromCharCode(...addr, ...mask)));
  const exactIps = names.filter((d) => isIP(d) === 4).map((d) => ip(d.split('.').map(Number), [255, 255, 255, 255]));
  const ips = [ip([127, 0, 0, 0], [255, 0, 0, 0]), ip([...Array(15).fill(0), 1], Array(16).fill(255)), ...exactIps];
  const permitted = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [...dns, ...ips]);
  const value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [permitted]);
  return { id: '2.5.29.30', critical: true, value: asn1.toDer(value).getBytes() };
}

/** Whether a host name falls inside the permitted domains (RFC 5280 dNSName matching). */
export function isPermittedByConstraints(host: string, domains: string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(h)) return isLoopback(h) || domains.includes(h);
  return domains.some((d) => {
    const base = d.replace(/^\*?\./, '').toLowerCase();
    return h === base || h.endsWith(`.${base}`);
  });
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
