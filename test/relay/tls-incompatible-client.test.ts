import tls from 'node:tls';
import { connectTunnel } from '../helpers/proxy-client';
import { startTestProxy, type TestProxy } from '../helpers/proxy-harness';

/**
 * The proxy speaks HTTP/1.1 over TLS 1.2+ to the client. A client whose hello has nothing in
 * common with that (ALPN `h2` only, as gRPC clients send; TLS 1.0 only) was told "it likely does
 * not trust the proxy CA", though it trusted the CA: it never got to see the certificate. It is
 * now its own finding, naming the OpenSSL code. A client that offers h2 next to http/1.1 (curl,
 * Java's HttpClient) gets http/1.1.
 */

const HOST = 'westeurope-5.in.applicationinsights.azure.com';

describe('a client hello the proxy cannot answer (real TLS through a CONNECT tunnel)', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startTestProxy();
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** Runs one handshake through the proxy; resolves with the client's outcome (never throws). */
  async function handshake(
    options: tls.ConnectionOptions,
  ): Promise<{ error?: string; alpn?: string | false | null }> {
    const raw = await connectTunnel(proxy.port, `${HOST}:443`);
    return new Promise((resolve) => {
      const socket = tls.connect({ socket: raw, servername: HOST, ca: proxy.caPem, ...options });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ error: 'no outcome within 10 s' });
      }, 10_000);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        const alpn = socket.alpnProtocol;
        socket.destroy();
        resolve({ alpn });
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        resolve({ error: err.message });
      });
    });
  }

  async function findingsOfNext(options: tls.ConnectionOptions) {
    const before = proxy.exchanges().length;
    const outcome = await handshake(options);
    expect(outcome.error).toBeDefined();
    const records = await proxy.waitForExchanges(before + 1, 10_000);
    const record = records[before];
    expect(record.exchange.error.kind).toBe('CLIENT_TLS_FAILED');
    return { record, ids: (record.findings ?? []).map((f: { id: string }) => f.id) as string[] };
  }

  it('h2 alone: CLIENT_TLS_INCOMPATIBLE, not a CA problem', async () => {
    const { record, ids } = await findingsOfNext({ ALPNProtocols: ['h2'] });
    expect(record.exchange.error.code).toBe('ERR_SSL_NO_APPLICATION_PROTOCOL');
    expect(ids).toEqual(['CLIENT_TLS_INCOMPATIBLE']);
    expect(record.findings[0].title).toMatch(/offered nothing the proxy speaks.*not a CA problem/);
  });

  it('TLS 1.0 alone: CLIENT_TLS_INCOMPATIBLE, not a CA problem', async () => {
    const { ids } = await findingsOfNext({
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    expect(ids).toEqual(['CLIENT_TLS_INCOMPATIBLE']);
  });

  it('h2 offered next to http/1.1 gets http/1.1, and the handshake succeeds', async () => {
    const outcome = await handshake({ ALPNProtocols: ['h2', 'http/1.1'] });
    expect(outcome).toEqual({ alpn: 'http/1.1' });
  });
});
