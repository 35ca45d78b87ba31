import type { ServerOptions } from 'node:https';
import { loadOrCreateCa, type CertificateAuthority } from '../certs/ca';
import { LeafIssuer } from '../certs/leaf-issuer';

export interface FakeTlsOptions {
  /** Use this CA (tests pass one they made). */
  ca?: CertificateAuthority;
  /** Else load or create the CA in this directory (default `certs`). */
  caDir?: string;
  /** A given certificate and key (PEM) instead of leaves from our CA. */
  cert?: string;
  key?: string;
}

/**
 * HTTPS options for one listener that answers to every Azure host name: an SNICallback hands each
 * name a leaf from our CA (or the given certificate serves all names).
 */
export async function httpsOptionsFor(
  options: FakeTlsOptions,
  defaultName: string,
): Promise<{ server: ServerOptions; ca?: CertificateAuthority }> {
  if (options.cert || options.key) {
    if (!options.cert || !options.key) throw new Error('a given certificate needs both cert and key');
    return { server: { cert: options.cert, key: options.key } };
  }
  const ca = options.ca ?? (await loadOrCreateCa(options.caDir ?? 'certs')).ca;
  const issuer = await LeafIssuer.create(ca);
  return {
    ca,
    server: {
      // Clients that send no SNI (connecting by IP) get a leaf for the listening address.
      cert: issuer.issuePem(defaultName) + issuer.chainPem,
      key: issuer.leafKeyPem,
      SNICallback: (servername, callback) => {
        try {
          callback(null, issuer.contextFor(servername));
        } catch (err) {
          callback(err as Error);
        }
      },
    },
  };
}
