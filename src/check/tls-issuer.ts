import type { PeerCertificate, DetailedPeerCertificate } from 'node:tls';

export type IssuerKind = 'microsoft' | 'this-tool' | 'middlebox' | 'unknown';

/** TLS-inspecting products, by what their CA certificates say about themselves. */
const MIDDLEBOXES: [RegExp, string][] = [
  [/zscaler/i, 'Zscaler'],
  [/palo ?alto/i, 'Palo Alto Networks'],
  [/forti(gate|net)/i, 'Fortinet FortiGate'],
  [/netskope/i, 'Netskope'],
  [/blue ?coat|symantec web/i, 'Symantec / Blue Coat'],
  [/cisco umbrella|opendns/i, 'Cisco Umbrella'],
  [/sophos/i, 'Sophos'],
  [/mcafee|skyhigh/i, 'Skyhigh / McAfee Web Gateway'],
  [/forcepoint|websense/i, 'Forcepoint'],
  [/check ?point/i, 'Check Point'],
  [/barracuda/i, 'Barracuda'],
  [/mitmproxy/i, 'mitmproxy'],
  [/fiddler/i, 'Fiddler'],
  [/charles proxy/i, 'Charles Proxy'],
  [/cloudflare for teams|cloudflare gateway/i, 'Cloudflare Gateway'],
];

const MICROSOFT = /microsoft|digicert global root g2|digicert global root ca|baltimore cybertrust/i;

function describe(cert: PeerCertificate): string {
  const parts = [cert.subject?.CN, cert.subject?.O].flat().filter(Boolean);
  return parts.join(', ');
}

/** The chain as the server sent it (leaf first), each by subject and issuer. */
export function chainOf(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  let cert: DetailedPeerCertificate | undefined = leaf;
  for (let i = 0; cert && i < 10; i++) {
    if (!cert.subject) break;
    chain.push(cert);
    if (!cert.issuerCertificate || cert.issuerCertificate === cert) break;
    cert = cert.issuerCertificate;
  }
  return chain;
}

/** Who issued the server's certificate: Microsoft's chain, this tool's CA, a named middlebox, or someone else. */
export function classifyIssuer(chain: PeerCertificate[]): { kind: IssuerKind; name: string; issuer: string } {
  const leaf = chain[0];
  const issuerText = leaf ? [leaf.issuer?.CN, leaf.issuer?.O].flat().filter(Boolean).join(', ') : '';
  const texts = chain.flatMap((c) => [
    describe(c),
    [c.issuer?.CN, c.issuer?.O, c.issuer?.OU].flat().filter(Boolean).join(', '),
  ]);
  const all = texts.join(' | ');
  if (/appinsights-auth-proxy/i.test(all))
    return { kind: 'this-tool', name: 'appinsights-auth-proxy', issuer: issuerText };
  for (const [pattern, name] of MIDDLEBOXES)
    if (pattern.test(all)) return { kind: 'middlebox', name, issuer: issuerText };
  if (MICROSOFT.test(issuerText) || chain.some((c) => MICROSOFT.test(describe(c))))
    return { kind: 'microsoft', name: 'Microsoft', issuer: issuerText };
  return { kind: 'unknown', name: issuerText || 'an unknown issuer', issuer: issuerText };
}
