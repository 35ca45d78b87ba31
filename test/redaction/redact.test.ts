import { maskIkey, redactPath, redactText } from '../../src/ingestion/redact';

describe('redaction of secrets in bodies, paths and keys', () => {
  it.each([
    [
      'client_id=abc&client_secret=s3cr3t-value&grant_type=client_credentials',
      'client_secret=[redacted]',
      's3cr3t-value',
    ],
    ['grant_type=x&client_assertion=eyJhbGciOi.xx.yy', 'client_assertion=[redacted]', 'eyJhbGciOi.xx.yy'],
    [
      '{"access_token":"eyJ0eXAi.payload.sig","token_type":"Bearer"}',
      '"access_token":"[redacted]"',
      'eyJ0eXAi.payload.sig',
    ],
    [
      '{"iKey":"11111111-2222-3333-4444-555555555555"}',
      '11111111-****-****-****-********5555',
      '2222-3333-4444',
    ],
    [
      'InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=x',
      'InstrumentationKey=11111111-****',
      '2222-3333-4444',
    ],
    [
      '{"name":"Microsoft.ApplicationInsights.11111111222233334444555555555555.Event"}',
      'Microsoft.ApplicationInsights.11111111-****',
      '1111111122223333',
    ],
    [
      'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln',
      'Bearer [redacted]',
      'eyJhbGciOiJSUzI1NiJ9',
    ],
  ])('%s', (input, expected, gone) => {
    const out = redactText(input);
    expect(out).toContain(expected);
    expect(out).not.toContain(gone);
  });

  it('keeps JSON intact around a numeric error code in a URL', () => {
    const json = '{"error_uri":"https://login.microsoftonline.com/error?code=700016","x":1}';
    expect(JSON.parse(redactText(json))).toEqual(JSON.parse(json));
  });

  it('masks iKeys and secrets in query strings but keeps the path exact', () => {
    expect(
      redactPath(
        '/QuickPulseService.svc/ping?api-version=2024-04-01-preview&ikey=11111111-2222-3333-4444-555555555555',
      ),
    ).toBe(
      '/QuickPulseService.svc/ping?api-version=2024-04-01-preview&ikey=11111111-****-****-****-********5555',
    );
    expect(redactPath('//v2.1/track')).toBe('//v2.1/track');
    expect(redactPath('/t/oauth2/v2.0/token?client_secret=abc')).toBe(
      '/t/oauth2/v2.0/token?client_secret=[redacted]',
    );
  });

  it('masks any instrumentation key form', () => {
    expect(maskIkey('11111111222233334444555555555555')).toBe('11111111-****-****-****-********5555');
    expect(maskIkey('not-a-guid-at-all')).toBe('not-****');
  });
});
