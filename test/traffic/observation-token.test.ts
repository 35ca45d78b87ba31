import { summarizeAuthorization } from '../../src/ingestion/jwt';
import { observe } from '../../src/diagnosis/traffic/observation';
import { exchange, goodClaims, jwtString } from '../fixtures/exchanges';

/**
 * The traffic watch reads a token's clouds once per cached (frozen) summary. A line must observe
 * exactly what a fresh reading gives, and a draft summary (tests edit them) is never remembered.
 */
describe("an observation's token clouds", () => {
  const analysis = { kind: 'track-v2.1' };
  const usgov = {
    ...goodClaims(),
    aud: 'https://monitor.azure.us',
    iss: 'https://login.microsoftonline.us/t/v2.0',
  };

  it('from the proxy’s cached summary: the same as from a private copy, every time', () => {
    const cached = summarizeAuthorization(`Bearer ${jwtString(usgov)}`);
    for (let i = 0; i < 3; i++) {
      const viaCache = observe(exchange({ request: { authorization: cached } }), analysis);
      const viaCopy = observe(exchange({ request: { authorization: structuredClone(cached) } }), analysis);
      expect(viaCache.token).toEqual(viaCopy.token);
      expect(viaCache.token).toMatchObject({ audienceCloud: 'usgov', issuerCloud: 'usgov' });
    }
  });

  it('from a draft that changes between two exchanges: each reading is its own', () => {
    const draft = structuredClone(summarizeAuthorization(`Bearer ${jwtString(usgov)}`));
    const ex = exchange({ request: { authorization: draft } });
    expect(observe(ex, analysis).token?.audienceCloud).toBe('usgov');
    draft.jwt!.claims.aud = 'https://monitor.azure.cn';
    draft.jwt!.claims.iss = 'https://login.chinacloudapi.cn/t/v2.0';
    expect(observe(ex, analysis).token).toMatchObject({ audienceCloud: 'china', issuerCloud: 'china' });
  });
});
