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
});
