import { httpsViaProxy } from '../helpers/proxy-client';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

const HOST = 'westus-0.in.applicationinsights.azure.com';

/**
 * `CONNECT name.:443` (the fully qualified form with its trailing dot, a usual Kubernetes ndots
 * workaround) is the same host: intercepted, with a leaf that fits the CA's name constraints
 * (a leaf naming `name.` broke them, and a client trusting the CA failed its handshake).
 */
describe('a host name with a trailing dot', () => {
  it('is intercepted with a leaf the CA may issue, relayed, and logged under its plain name', async () => {
    const { proxy, close } = await startProxiedUpstream(HOST);
    try {
      const reply = await httpsViaProxy({
        proxyPort: proxy.port,
        host: `${HOST}.`,
        path: '/v2.1/track',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '[]',
        ca: proxy.caPem,
      });
      expect(reply.status).toBe(200);
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.request.host).toBe(HOST);
      expect(line.findings.map((f: { id: string }) => f.id)).not.toContain('CLIENT_DOES_NOT_TRUST_PROXY_CA');
    } finally {
      await close();
    }
  });
});
