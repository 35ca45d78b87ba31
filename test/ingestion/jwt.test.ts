import { decodeJwt, summarizeAuthorization } from '../../src/ingestion/jwt';
import { jwtString, goodClaims } from '../fixtures/exchanges';

describe('JWT decoding without verification', () => {
  it('decodes header and the non-secret claims', () => {
    const token = jwtString(goodClaims({ roles: ['x'], xms_mirid: '/subscriptions/s' }), {
      alg: 'RS256',
      kid: 'k1',
      typ: 'JWT',
    });
    const { jwt } = decodeJwt(token);
    expect(jwt?.header).toEqual({ alg: 'RS256', kid: 'k1', typ: 'JWT' });
    expect(jwt?.claims).toMatchObject({
      aud: 'https://monitor.azure.com',
      tid: '72f988bf-0000-0000-0000-000000000000',
      idtyp: 'app',
      roles: ['x'],
    });
    expect(jwt?.claims).not.toHaveProperty('xms_mirid');
  });

  it.each([
    ['not three parts', 'abc', /3 dot-separated/],
    ['header not JSON', 'abc.def.ghi', /header/],
    ['payload not JSON', `${Buffer.from('{"alg":"none"}').toString('base64url')}.!!!.x`, /payload/],
  ])('tolerates garbage: %s', (_name, token, error) => {
    expect(decodeJwt(token).error).toMatch(error);
  });

  it('summarises an Authorization header without keeping the token', () => {
    const token = jwtString(goodClaims());
    const summary = summarizeAuthorization(`Bearer ${token}`);
    expect(summary.scheme).toBe('Bearer');
    expect(summary.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(summary)).not.toContain(token.split('.')[1]);
    expect(summarizeAuthorization('Bearer').malformed).toBe('no token after "Bearer"');
    expect(summarizeAuthorization('Bearer abc').malformed).toMatch(/3 dot-separated/);
  });

  it.each([
    ['an opaque credential without a scheme', 'SECRETOPAQUETOKENVALUE1234567890', 'SECRETOPAQUE'],
    ['basic credentials after a tab', 'Basic\tdXNlcjpTVVBFUlNFQ1JFVA==', 'dXNlcjpTVVBFUlNFQ1JFVA'],
    ['an opaque bearer token after a tab', 'Bearer\tSECRETOPAQUETOKENVALUE', 'SECRETOPAQUE'],
  ])('never keeps the credential as the scheme: %s', (_name, value, secret) => {
    const summary = summarizeAuthorization(value);
    expect(JSON.stringify(summary)).not.toContain(secret);
    expect(summary.scheme).not.toContain('\t');
  });

  it('says a JWT sent without "Bearer " is one, and reads a token after a tab', () => {
    const token = jwtString(goodClaims());
    const bare = summarizeAuthorization(token);
    expect(bare).toMatchObject({
      scheme: '',
      malformed: 'a JWT without the "Bearer " scheme in front of it',
    });
    expect(JSON.stringify(bare)).not.toContain(token.split('.')[0]);
    expect(summarizeAuthorization(`Bearer\t${token}`).jwt?.claims.aud).toBe('https://monitor.azure.com');
    expect(summarizeAuthorization('Basic').scheme).toBe('Basic');
  });
});
