import { promises as dns } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { checkFinding } from './findings';
import type { ParsedTarget } from './parse-step';
import { chainOf, classifyIssuer } from './tls-issuer';
import { openConnection, type ProxyAddress } from './tunnel';
import type { StepResult } from './types';

function privateKind(address: string): 'loopback' | 'private' | undefined {
  if (net.isIPv4(address)) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    if (a === 127) return 'loopback';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
    return undefined;
  }
  const lower = address.toLowerCase();
  if (lower === '::1') return 'loopback';
  if (/^f[cd]/.test(lower)) return 'private';
  if (lower.startsWith('::ffff:')) return privateKind(lower.slice(7));
  return undefined;
}

/** Step 2a: DNS, as the app would resolve the ingestion host (the proxy resolves it with --via). */
export async function dnsStep(target: ParsedTarget, via: ProxyAddress | undefined): Promise<StepResult> {
  if (via) {
    return { step: 'dns', status: 'skipped', summary: `resolved by the proxy ${via.url}`, findings: [] };
  }
  try {
    const addresses = (await dns.lookup(target.ingestionHost, { all: true })).map((a) => a.address);
    const kinds = addresses.map(privateKind);
    const details = { host: target.ingestionHost, addresses };
    if (kinds.includes('private')) {
      return {
        step: 'dns',
        status: 'info',
        summary: `${target.ingestionHost} → ${addresses.join(', ')}: a private address, so Private Link (an Azure Monitor Private Link Scope) or a hosts entry answers for it; the resource must accept traffic from this network`,
        details,
        findings: [],
      };
    }
    if (kinds.includes('loopback')) {
      return {
        step: 'dns',
        status: 'info',
        summary: `${target.ingestionHost} → ${addresses.join(', ')}: this machine (a hosts-file entry, or a local fake)`,
        details,
        findings: [],
      };
    }
    return {
      step: 'dns',
      status: 'ok',
      summary: `${target.ingestionHost} → ${addresses.join(', ')}`,
      details,
      findings: [],
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return {
      step: 'dns',
      status: 'failed',
      summary: `${target.ingestionHost} does not resolve (${code}): check DNS, or the Private Link zone privatelink.monitor.azure.com`,
      details: { host: target.ingestionHost, code },
      findings: [],
    };
  }
}

/** Step 2b: a TCP connection to the ingestion host (a CONNECT tunnel with --via). */
export async function tcpStep(
  target: ParsedTarget,
  via: ProxyAddress | undefined,
  timeoutMs: number,
): Promise<{ result: StepResult; socket?: Duplex }> {
  const where = `${target.ingestionHost}:${target.ingestionPort}`;
  try {
    const { socket, remoteAddress } = await openConnection(
      target.ingestionHost,
      target.ingestionPort,
      via,
      timeoutMs,
    );
    return {
      socket,
      result: {
        step: 'tcp',
        status: 'ok',
        summary: via
          ? `tunnel to ${where} opened by the proxy ${via.url}`
          : `connected to ${where}${remoteAddress ? ` (${remoteAddress})` : ''}`,
        findings: [],
      },
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      result: {
        step: 'tcp',
        status: 'failed',
        summary:
          `cannot connect to ${where}${via ? ` through ${via.url}` : ''}: ${e.code ?? ''} ${e.message}`.replace(
            /\s+/g,
            ' ',
          ),
        details: { code: e.code ?? null },
        findings: [
          checkFinding('UPSTREAM_UNREACHABLE', `Cannot reach ${where}: ${e.code ?? e.message}`, {
            host: target.ingestionHost,
            code: e.code ?? null,
          }),
        ],
      },
    };
  }
}

/** Step 2c: TLS on that connection: is the chain trusted, and who issued it. */
export async function tlsStep(target: ParsedTarget, socket: Duplex, timeoutMs: number): Promise<StepResult> {
  return new Promise((resolve) => {
    // SNI carries names only (an IP address there is refused by Node and by servers).
    const servername = net.isIP(target.ingestionHost) ? undefined : target.ingestionHost;
    const secure = tls.connect({ socket, servername, rejectUnauthorized: false });
    let handshakeDone = false;
    const done = (result: StepResult) => {
      if (handshakeDone) {
        // Close politely: destroy() would drop our last handshake message, and a proxy on the
        // path would log this probe as a client that refused its CA.
        secure.setTimeout(0);
        secure.end();
        setTimeout(() => secure.destroy(), 2000).unref();
      } else secure.destroy();
      resolve(result);
    };
    secure.setTimeout(timeoutMs, () =>
      done({
        step: 'tls',
        status: 'failed',
        summary: `no TLS handshake within ${timeoutMs} ms`,
        findings: [],
      }),
    );
    secure.once('error', (err) =>
      done({ step: 'tls', status: 'failed', summary: `TLS handshake failed: ${err.message}`, findings: [] }),
    );
    secure.once('secureConnect', () => {
      handshakeDone = true;
      const chain = chainOf(secure.getPeerCertificate(true));
      const issuer = classifyIssuer(chain);
      const details = {
        protocol: secure.getProtocol(),
        subject: chain[0]?.subject?.CN ?? null,
        issuer: issuer.issuer,
        chain: chain.map((c) => c.subject?.CN ?? '?'),
        trusted: secure.authorized,
        issuedBy: issuer.kind,
      };
      if (!secure.authorized) {
        const reason = String(secure.authorizationError ?? 'untrusted');
        const findings =
          issuer.kind === 'this-tool'
            ? [
                checkFinding(
                  'CLIENT_DOES_NOT_TRUST_PROXY_CA',
                  `The certificate of ${target.ingestionHost} comes from appinsights-auth-proxy's CA, which this process does not trust (${reason})`,
                  { host: target.ingestionHost, reason },
                ),
              ]
            : [];
        return done({
          step: 'tls',
          status: 'failed',
          summary: `certificate not trusted (${reason}), issued by ${issuer.name}: the app would refuse it too (NODE_EXTRA_CA_CERTS adds a CA for Node.js)`,
          details,
          findings,
        });
      }
      if (issuer.kind === 'microsoft') {
        return done({
          step: 'tls',
          status: 'ok',
          summary: `${details.protocol}, issued by ${issuer.issuer} (Microsoft's chain)`,
          details,
          findings: [],
        });
      }
      if (issuer.kind === 'this-tool') {
        return done({
          step: 'tls',
          status: 'info',
          summary: `${details.protocol}, issued by appinsights-auth-proxy's own CA (this proxy, or the local fake): expected when you test through it`,
          details,
          findings: [],
        });
      }
      done({
        step: 'tls',
        status: 'warning',
        summary:
          issuer.kind === 'middlebox'
            ? `${details.protocol}, issued by ${issuer.issuer}: a TLS-inspecting middlebox (${issuer.name}) sits in the path; apps must trust its CA, and it must let Authorization headers through`
            : `${details.protocol}, issued by ${issuer.name}, not Microsoft's chain: a TLS-inspecting middlebox sits in the path; apps must trust its CA`,
        details: { ...details, middlebox: issuer.kind === 'middlebox' ? issuer.name : null },
        findings: [],
      });
    });
  });
}
