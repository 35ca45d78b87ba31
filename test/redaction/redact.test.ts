import { deflateSync, gzipSync } from 'node:zlib';
import { allGuidance } from '../../src/diagnosis';
import { formatTextLine } from '../../src/sinks/pretty';
import { redactForOutput } from '../../src/ingestion/redact-output';
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

describe('output redaction keeps what is not secret, and is idempotent', () => {
  it('keeps error codes, token types, challenges and tenant ids', () => {
    const line = {
      msg: 'POST login.microsoftonline.com/t/oauth2/v2.0/token → 400 Bad Request',
      exchange: {
        error: { kind: 'UPSTREAM_REFUSED', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
        response: {
          headers: {
            'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/x"',
          },
          body: {
            text: '{"token_type":"Bearer","error":"invalid_client","code":"InvalidAuthenticationToken","error_codes":[7000215]}',
          },
        },
      },
      findings: [
        { id: 'TOKEN_EXPIRED', evidence: { hasToken: true, tid: '72f988bf-86f1-41af-91ab-2d7cd011db47' } },
      ],
    };
    expect(redactForOutput(line)).toEqual(line);
  });

  it('is idempotent on a fully masked line', () => {
    const line = {
      path: '/t?client_secret=abc&ikey=11111111-2222-3333-4444-555555555555&sig=x%2By',
      text: 'Invalid instrumentation key: 11111111-2222-3333-4444-555555555555; bearer abcdefghijklmnop1234',
      headers: { 'Api-Key': 'k', Authorization: 'bearer zzzzzzzzzzzzzzzz' },
    };
    const once = redactForOutput(line);
    expect(redactForOutput(once)).toEqual(once);
    expect(JSON.stringify(once)).not.toMatch(/2222-3333|abcdefghijklmnop|zzzz|abc&|x%2By/);
  });

  it('masks a key the line showed masked elsewhere, wherever it reappears', () => {
    const out = redactForOutput({
      analysis: { envelopes: { iKeys: ['11111111-****-****-****-********5555'] } },
      message: 'rejected 11111111222233334444555555555555 (no context word)',
    });
    expect(out.message).toBe('rejected 11111111-****-****-****-********5555 (no context word)');
  });

  it('decodes a base64 body (one control byte made it binary) before matching', () => {
    const body = Buffer.concat([Buffer.from([1]), Buffer.from('client_secret=s3cr3tvalue&x=1')]).toString(
      'base64',
    );
    const out = redactForOutput({ base64: body });
    expect(Buffer.from(out.base64, 'base64').toString('latin1')).toBe('\u0001client_secret=[redacted]&x=1');
  });

  it('does not show a base64 body of compressed bytes (a log from elsewhere): decompressed, it would give the key back', () => {
    const json = '[{"iKey":"11111111-2222-3333-4444-555555555555","tags":{}}]';
    for (const compressed of [gzipSync(json), deflateSync(json)]) {
      const out = redactForOutput({ request: { body: { base64: compressed.toString('base64') } } });
      expect(out.request.body.base64).toBe('[redacted]');
    }
  });
});

describe('pretty shows a line that is not JSON masked', () => {
  it('masks it like any text', () => {
    const out = formatTextLine('upstream said: bearer abcdefghijklmnopqrstuvwxyz012345', {
      color: false,
      onlyFindings: false,
    });
    expect(out).toBe('upstream said: bearer [redacted]');
  });
});

describe('printed settings stay copy-pasteable', () => {
  it('keeps the JDK default truststore password, masks any other password', () => {
    expect(redactText('-Djavax.net.ssl.trustStorePassword=changeit')).toBe(
      '-Djavax.net.ssl.trustStorePassword=changeit',
    );
    expect(redactText('-Dhttps.proxyPassword=hunter2-secret')).toBe('-Dhttps.proxyPassword=[redacted]');
  });
});

describe('more shapes in text', () => {
  it.each([
    ['HTTPS_PROXY=http://alice:s3cr3t-pw@corp:3128', 'http://alice:[redacted]@corp:3128', 's3cr3t-pw'],
    ['iKeys: 11111111-2222-3333-4444-555555555555', 'iKeys: 11111111-****', '2222-3333'],
    // A connection string as SQL and Storage clients accept it: spaces around `=`.
    [
      'Server=tcp:db.example;User ID=sa;Password = sql-pa55word;Encrypt=True',
      'Password = [redacted];Encrypt=True',
      'sql-pa55word',
    ],
    ['AccountKey = st0rage-key==;EndpointSuffix=core.windows.net', 'AccountKey = [redacted];', 'st0rage-key'],
    // The names the SDKs' settings give the key: environment variables, .NET configuration.
    [
      'APPINSIGHTS_INSTRUMENTATIONKEY=11111111-2222-3333-4444-555555555555',
      'APPINSIGHTS_INSTRUMENTATIONKEY=11111111-****',
      '2222-3333',
    ],
    [
      '{"ApplicationInsights__InstrumentationKey":"11111111-2222-3333-4444-555555555555"}',
      '11111111-****',
      '2222-3333',
    ],
    [
      'set APPINSIGHTS_INSTRUMENTATIONKEY to 11111111-2222-3333-4444-555555555555',
      '11111111-****',
      '2222-3333',
    ],
    // A sign-in redirect carries its tokens in the URL's fragment (response_mode=fragment).
    [
      'https://app.example/signin#access_token=opaque-tok3n-value&token_type=Bearer&expires_in=3599',
      '#access_token=[redacted]&token_type=Bearer',
      'opaque-tok3n-value',
    ],
    [
      'Location: https://app.example/cb#code=0.AXsA-auth-code-v4lue&state=1',
      '#code=[redacted]',
      'auth-code-v4lue',
    ],
    [
      'redirect=https%3A%2F%2Fapp%2Fcb%23id_token%3Did-t0ken-value',
      '%23id_token%3D[redacted]',
      'id-t0ken-value',
    ],
    // A password typed with an unencoded `@`: everything up to the host's `@` is the password.
    ['HTTPS_PROXY=http://alice:p@ss-s3cr3t@corp:3128', 'http://alice:[redacted]@corp:3128', 's3cr3t'],
    // Any secret name written `name: value`, not only the well-known headers.
    ['X-Ms-Client-Secret: cl13nt-s3cr3t-value', 'X-Ms-Client-Secret: [redacted]', 's3cr3t-value'],
    ['tenant: t1\nclient_secret: cl13nt-s3cr3t-value\n', 'client_secret: [redacted]', 's3cr3t-value'],
    [
      'sent refresh_token: 0.AR-r3fresh-value to the endpoint',
      'refresh_token: [redacted] to',
      'r3fresh-value',
    ],
  ])('%s', (input, expected, gone) => {
    const out = redactText(input);
    expect(out).toContain(expected);
    expect(out).not.toContain(gone);
    expect(redactText(out)).toBe(out);
  });
});

describe('an iKey under a prefixed name in a record', () => {
  it('is shown masked (an environment dump, a header of another tool)', () => {
    const key = '11111111-2222-3333-4444-555555555555';
    const out = JSON.stringify(
      redactForOutput({
        env: { APPINSIGHTS_INSTRUMENTATIONKEY: key },
        headers: { 'x-ms-instrumentation-key': key },
      }),
    );
    expect(out).not.toContain('2222-3333');
    expect(out).toContain('"APPINSIGHTS_INSTRUMENTATIONKEY":"11111111-****-****-****-********5555"');
  });
});

describe('request headers a telemetry SDK captured as attributes', () => {
  it('masks cookies and credentials under http.request.header.* names, in a body and in a record', () => {
    const body = JSON.stringify([
      {
        data: {
          baseData: {
            properties: {
              'http.request.header.cookie': '.AspNetCore.Session=s3ss10n-cookie-value',
              'http.response.header.set_cookie': 'ARRAffinity=aff1n1ty-cookie-value; Path=/',
              'http.request.header.authorization': 'Opaque short-t0k',
            },
          },
        },
      },
    ]);
    for (const out of [redactText(body), JSON.stringify(redactForOutput(JSON.parse(body)))]) {
      for (const gone of ['s3ss10n', 'aff1n1ty', 'short-t0k']) expect(out).not.toContain(gone);
      expect(out).toContain('"http.request.header.cookie":"[redacted]"');
    }
  });
});

describe('a redirect to a sign-in callback', () => {
  it('shows its Location header without the tokens of its fragment', () => {
    const line = {
      response: {
        status: 302,
        headers: { Location: 'https://app.example/cb#access_token=opaque-tok3n-value&state=s1' },
      },
    };
    const out = JSON.stringify(redactForOutput(line));
    expect(out).toContain('https://app.example/cb#access_token=[redacted]&state=s1');
    expect(out).not.toContain('tok3n');
  });
});

describe('prose about a setting is not a setting', () => {
  it.each([
    'the service could not validate the token: it may come from another tenant',
    'error code: AADSTS7000215',
    'token_type: Bearer',
  ])('%s', (text) => expect(redactText(text)).toBe(text));
});

describe('redaction leaves our own texts alone', () => {
  it('every catalog entry (why, fix steps, runtime steps, links) passes unchanged', () => {
    const guidance = allGuidance();
    expect(redactForOutput(guidance)).toEqual(guidance);
  });
});
