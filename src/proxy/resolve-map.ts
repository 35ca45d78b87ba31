import { UsageError } from '../model/usage-error';
import type { HostPort } from './connect-target';

interface ResolveRule {
  host: string;
  port?: number;
  to: HostPort;
}

/**
 * curl-style --resolve HOST[:PORT]=ADDR:PORT: send a host's traffic to another address while the
 * name stays in SNI and the Host header (rehearsals and tests point real Azure names at a local server).
 */
export class ResolveMap {
  private readonly rules: ResolveRule[];

  constructor(specs: string[]) {
    this.rules = specs.map(parseResolveSpec);
  }

  lookup(host: string, port: number): HostPort {
    const h = host.toLowerCase();
    const rule =
      this.rules.find((r) => r.host === h && r.port === port) ??
      this.rules.find((r) => r.host === h && r.port === undefined) ??
      this.rules.find((r) => r.host === '*' && (r.port === undefined || r.port === port));
    return rule ? rule.to : { host, port };
  }

  get size(): number {
    return this.rules.length;
  }
}

export function parseResolveSpec(spec: string): ResolveRule {
  const m = /^([^=:\s]+)(?::(\d{1,5}))?=(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(spec.trim());
  if (!m) throw new UsageError(`--resolve "${spec}": expected HOST[:PORT]=ADDRESS:PORT`);
  const port = m[2] ? Number(m[2]) : undefined;
  const to = { host: m[3]!.replace(/^\[|\]$/g, ''), port: Number(m[4]) };
  if ((port !== undefined && (port < 1 || port > 65535)) || to.port < 1 || to.port > 65535) {
    throw new UsageError(`--resolve "${spec}": port out of range`);
  }
  return { host: m[1]!.toLowerCase(), port, to };
}
