import { ScopeMatcher } from '../../src/proxy/scope';

/**
 * --intercept and --no-intercept patterns are compared with the CONNECT host in one spelling:
 * the CONNECT host loses its trailing dot and has no IPv6 brackets, so a pattern written with
 * either never matched, and `--no-intercept "*.applicationinsights.azure.com."` still decrypted
 * the hosts it was meant to leave alone.
 */
function scope(intercept: string[], noIntercept: string[] = []) {
  return new ScopeMatcher({ connectionStrings: [], intercept, noIntercept });
}

describe('scope: a pattern matches however its host is spelled', () => {
  it('--no-intercept with a trailing dot leaves the hosts it names alone', () => {
    const s = scope([], ['*.applicationinsights.azure.com.']);
    expect(s.scopeOf('westus-0.in.applicationinsights.azure.com')).toBeUndefined();
    expect(s.scopeOf('westus-0.in.applicationinsights.azure.com.')).toBeUndefined();
  });

  it.each([
    ['foo.example.com.', 'foo.example.com'],
    ['*.Example.COM.', 'a.example.com'],
    ['FOO.example.com', 'foo.EXAMPLE.com.'],
    ['[::1]', '::1'],
    ['[2001:DB8::1]', '2001:db8::1'],
  ])('--intercept %j decrypts %j', (pattern, host) => {
    expect(scope([pattern]).scopeOf(host)).toBe('other');
  });

  it('keeps *.domain for sub-domains only', () => {
    const s = scope(['*.example.com.']);
    expect(s.scopeOf('example.com')).toBeUndefined();
    expect(s.scopeOf('a.b.example.com')).toBe('other');
  });
});
