import { redactText } from '../../src/ingestion/redact';
import { httpsViaProxy } from '../helpers/proxy-client';
import { startProxiedUpstream } from '../helpers/proxied-upstream';

/**
 * A body is captured up to --max-capture-bytes, so the log may hold JSON cut anywhere, also
 * inside a secret's value (no closing quote). No cut may leave a piece of the secret readable.
 */
const SECRET = 'S3cr3tValue123yyyyZZZZ';
const REFRESH = '0.AAAAxQ9vLmN8pW2zK7uR';
const IKEY = '3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8';
const BODY = `{"grant_type":"client_credentials","client_secret":"${SECRET}","refresh_token":"${REFRESH}","iKey":"${IKEY}","note":"done"}`;

/** Any 6 characters in a row of the secret (the iKey: of its masked middle and end). */
function pieces(): string[] {
  const out: string[] = [];
  for (const s of [SECRET, REFRESH, IKEY.slice(9)])
    for (let i = 0; i + 6 <= s.length; i++) out.push(s.slice(i, i + 6));
  return out;
}

describe('bodies cut inside a secret', () => {
  it('every cut of a JSON body keeps every secret value masked', () => {
    const shown: string[] = [];
    for (let cut = 1; cut <= BODY.length; cut++) {
      const text = redactText(BODY.slice(0, cut));
      for (const piece of pieces()) if (text.includes(piece)) shown.push(`cut ${cut}: ${piece} in ${text}`);
      expect(redactText(text)).toBe(text); // masking a masked text changes nothing
    }
    expect(shown).toEqual([]);
  });

  it('every cut of JSON quoted inside a JSON string (a trace message holding a token answer) keeps it masked', () => {
    const body = JSON.stringify({ message: BODY, severityLevel: 1 });
    const shown: string[] = [];
    for (let cut = 1; cut <= body.length; cut++) {
      const text = redactText(body.slice(0, cut));
      for (const piece of pieces()) if (text.includes(piece)) shown.push(`cut ${cut}: ${piece} in ${text}`);
      expect(redactText(text)).toBe(text);
    }
    expect(shown).toEqual([]);
  });

  it('through the proxy with a small --max-capture-bytes, the log holds no piece of it', async () => {
    const host = 'login.microsoftonline.com';
    const { proxy, upstream, close } = await startProxiedUpstream(host, {
      maxCaptureBytes: 70,
      logBodies: 'all',
    });
    upstream.handler = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(BODY);
    };
    try {
      const reply = await httpsViaProxy({
        proxyPort: proxy.port,
        host,
        path: '/tenant/oauth2/v2.0/token',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        ca: proxy.caPem,
      });
      expect(reply.body.toString()).toBe(BODY); // relayed whole, only the capture is cut
      const [line] = await proxy.waitForExchanges(1);
      expect(line.exchange.request.body.truncated).toBe(true);
      const log = proxy.raw();
      expect(pieces().filter((p) => log.includes(p))).toEqual([]);
    } finally {
      await close();
    }
  });
});
