import { diagnose } from '../../src/diagnosis';
import { bearer, exchange, failedExchange, goodClaims, response, withoutToken } from '../fixtures/exchanges';
import { finding, options } from './helpers';

describe('guidance attached to findings', () => {
  it('TOKEN_MISSING from the JS exporter carries the Node steps and the Learn links', () => {
    const { analysis, findings } = diagnose(
      exchange({ request: withoutToken(), response: response(401) }),
      options(),
    );
    expect(analysis.sdk).toBe('js-exporter');
    const f = finding(findings, 'TOKEN_MISSING');
    expect(f.guidance.runtime).toBe('node');
    expect(f.guidance.runtimeFix?.join('\n')).toContain('credential');
    expect(f.guidance.fix.length).toBeGreaterThan(0);
    expect(f.guidance.learnMore).toContain(
      'https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication',
    );
  });

  it('picks the Java agent steps from an envelope sdkVersion', () => {
    const ex = exchange({
      request: {
        ...withoutToken(),
        headers: { 'content-encoding': 'gzip', 'user-agent': '' },
        body: {
          size: 10,
          captured: 10,
          truncated: false,
          text: '{"ver":1,"name":"Request","iKey":"11111111-****-****-****-********5555","tags":{"ai.internal.sdkVersion":"java:3.5.0"},"data":{"baseType":"RequestData"}}',
        },
      },
      response: response(401),
    });
    const f = finding(diagnose(ex, options()).findings, 'TOKEN_MISSING');
    expect(f.guidance.runtime).toBe('java');
    expect(f.guidance.runtimeFix?.join('\n')).toContain('"authentication"');
    expect(f.guidance.runtimeFix?.join('\n')).toContain('APPLICATIONINSIGHTS_AUTHENTICATION_STRING');
  });

  it('puts the CA path into the trust-the-CA steps', () => {
    const ex = failedExchange('CLIENT_TLS_REJECTED', { alert: 'certificate unknown' });
    const ex2 = { ...ex, request: { ...ex.request, headers: { 'user-agent': 'Java/17.0.15' } } };
    const f = finding(
      diagnose(ex2, options({ caCertPath: '/var/proxy/ca.pem' })).findings,
      'CLIENT_DOES_NOT_TRUST_PROXY_CA',
    );
    expect(f.guidance.fix.join('\n')).toContain('/var/proxy/ca.pem');
    expect(f.guidance.runtime).toBe('java');
    expect(f.guidance.runtimeFix?.join('\n')).toContain(
      'keytool -importcert -noprompt -alias appinsights-auth-proxy -file /var/proxy/ca.pem',
    );
    expect(f.guidance.runtimeFix?.join('\n')).not.toContain('{caCertPath}');
  });

  it('without a CA path the steps name a placeholder, never the raw template', () => {
    const f = finding(
      diagnose(failedExchange('CLIENT_TLS_FAILED'), options()).findings,
      'CLIENT_DOES_NOT_TRUST_PROXY_CA',
    );
    expect(f.guidance.fix.join('\n')).toContain('<proxy CA certificate file>');
    expect(JSON.stringify(f)).not.toContain('{caCertPath}');
  });

  it('no runtime is named when the SDK is unknown (and an entry without runtime steps adds none)', () => {
    const ex = exchange({
      request: { headers: {}, authorization: bearer(goodClaims()) },
      response: response(403),
    });
    const ex2 = { ...ex, request: { ...ex.request, body: { size: 0, captured: 0, truncated: false } } };
    const f = finding(diagnose(ex2, options()).findings, 'ROLE_MISSING');
    expect(f.guidance.runtime).toBeUndefined();
    expect(f.guidance.runtimeFix).toBeUndefined();
  });
});

describe('diagnose robustness', () => {
  it('never throws on garbage bodies and odd records', () => {
    const garbage = [
      '',
      '{',
      '[1,2',
      '\u0000\u0001',
      'null',
      '[null, 3, "x", {"data": 5}]',
      '{"itemsReceived":"x","errors":"no"}',
    ];
    for (const text of garbage) {
      const ex = exchange({
        request: { body: { size: 1, captured: 1, truncated: true, text } },
        response: {
          status: 400,
          reason: '',
          httpVersion: '1.1',
          headers: {},
          body: { size: 1, captured: 1, truncated: false, text },
        },
      });
      expect(() => diagnose(ex, options({ expectEntra: true }))).not.toThrow();
    }
  });
});
