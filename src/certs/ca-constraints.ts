import { CLOUDS } from '../ingestion/clouds';
import type { CertificateAuthority } from './ca';
import { isPermittedByConstraints } from './name-constraints';
import { shellWord } from '../model/shell-word';

/**
 * What a new CA may vouch for by default: every cloud's Azure Monitor ingestion, live-metrics and
 * profiler domains, and the Entra token hosts. Anything else needs --intercept at creation.
 */
export function defaultPermittedDomains(): string[] {
  return [...CLOUDS.flatMap((c) => c.monitorSuffixes.map((s) => s.replace(/^\./, ''))), ...CLOUDS.flatMap((c) => c.loginHosts)];
}

/** "*.example.com" and ".example.com" become the domain "example.com" (covers its sub-domains). */
function asDomain(pattern: string): string {
  return pattern.trim().toLowerCase().replace(/^\*?\./, '');
}

/** The defaults plus the hosts configured at creation (connection-string hosts, --intercept patterns). */
export function permittedDomainsFor(extraHosts: string[]): string[] {
  return [...new Set([...defaultPermittedDomains(), ...extraHosts.filter(Boolean).map(asDomain)])];
}

/** Hosts (or patterns) the CA cannot vouch for; empty for an unconstrained CA. */
export function hostsOutsideConstraints(ca: CertificateAuthority, hosts: string[]): string[] {
  const permitted = ca.permittedDomains;
  if (!permitted) return [];
  return [...new Set(hosts.map(asDomain))].filter((h) => !isPermittedByConstraints(h, permitted));
}

/** The message for a start that needs a host outside the CA's constraints: what and how to fix. */
export function outsideConstraintsMessage(ca: CertificateAuthority, outside: string[], wanted: string[]): string {
  const intercepts = [...new Set(wanted.map(asDomain))].filter((h) => !defaultPermittedDomains().includes(h));
  const flags = [`--ca-dir ${shellWord(ca.dir)}`, ...intercepts.map((h) => `--intercept ${h}`)].join(' ');
  return [
    `the CA at ${ca.certPath} is name-constrained and cannot vouch for ${outside.join(', ')}:`,
    'every client would reject the certificate the proxy makes for it.',
    `Recreate the CA with these hosts: appinsights-auth-proxy ca init --force ${flags}`,
    '(or add --ca-unconstrained), then make your apps trust the new CA again',
    '(appinsights-auth-proxy ca truststore, NODE_EXTRA_CA_CERTS, ...).',
  ].join(' ');
}
