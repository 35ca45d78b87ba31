import { headerValue } from '../../src/ingestion/headers';

describe('headerValue', () => {
  it('matches the name in any case, as the client cased it', () => {
    const headers = { Host: 'h', 'Content-Type': 'application/json', 'x-ms-client-request-id': 'r' };
    expect(headerValue(headers, 'content-type')).toBe('application/json');
    expect(headerValue(headers, 'CONTENT-TYPE')).toBe('application/json');
    expect(headerValue(headers, 'X-MS-Client-Request-Id')).toBe('r');
  });

  it('gives the first value of a repeated header, and the first key in order when two casings exist', () => {
    expect(headerValue({ 'set-cookie': ['a=1', 'b=2'] }, 'Set-Cookie')).toBe('a=1');
    expect(headerValue({ 'Retry-After': '5', 'retry-after': '9' }, 'retry-after')).toBe('5');
  });

  it('finds nothing for an absent name, a longer or shorter name, or no headers', () => {
    expect(headerValue({ 'content-type-x': 'no', 'content-typ': 'no' }, 'content-type')).toBeUndefined();
    expect(headerValue({}, 'location')).toBeUndefined();
    expect(headerValue(undefined, 'location')).toBeUndefined();
  });
});
