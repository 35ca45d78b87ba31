import { analyzeExchange } from '../../src/ingestion/analyze';
import {
  body,
  envelope,
  exchange,
  ingestionBody,
  livePing,
  managedIdentity,
  ndjson,
  response,
  STATSBEAT_IKEY,
  tokenEndpoint,
  trackBody,
  entraError,
} from '../fixtures/exchanges';
import { redactText } from '../../src/ingestion/redact';

describe('analyzeExchange', () => {
  it('summarises a healthy JS exporter track exchange', () => {
    const a = analyzeExchange(exchange());
    expect(a).toMatchObject({
      kind: 'track-v2.1',
      sdk: 'js-exporter',
      runtime: 'node',
      envelopes: {
        count: 2,
        byType: { RequestData: 1, MetricData: 1 },
        iKeys: ['11111111-****-****-****-********5555'],
        roleNames: ['checkout'],
      },
      ingestionResponse: { itemsReceived: 2, itemsAccepted: 2, appId: null, errors: [] },
      requestBody: {
        shape: 'json-array',
        documents: 2,
        invalidLines: 0,
        truncated: false,
        contentType: 'application/json',
      },
    });
    expect(a.serviceMessage).toBeUndefined();
    expect(a.tokenError).toBeUndefined();
  });

  it('reads a Node 2.x NDJSON batch without a User-Agent', () => {
    const node2 = envelope({
      name: 'Microsoft.ApplicationInsights.11111111222233334444555555555555.Event',
      baseType: 'EventData',
      sdkVersion: 'ulm_node:2.9.8',
    });
    const text = redactText(ndjson([node2, node2]));
    const a = analyzeExchange(
      exchange({
        request: {
          headers: { 'content-type': 'application/x-json-stream', 'content-encoding': 'gzip' },
          body: body(text),
        },
      }),
    );
    expect(a).toMatchObject({
      kind: 'track-v2.1',
      sdk: 'node-2x',
      runtime: 'node',
      requestBody: { shape: 'ndjson' },
    });
  });

  it('marks a statsbeat batch', () => {
    const a = analyzeExchange(
      exchange({
        request: { body: trackBody([envelope({ iKey: STATSBEAT_IKEY, name: 'Statsbeat' })], 'ndjson') },
      }),
    );
    expect(a.kind).toBe('statsbeat');
    expect(a.envelopes?.statsbeat).toBe(1);
  });

  it("reads a token endpoint error and MSAL Node's SKU", () => {
    const a = analyzeExchange(
      tokenEndpoint(400, entraError(700016, 'unauthorized_client', 'Application not found.')),
    );
    expect(a).toMatchObject({
      kind: 'token',
      sdk: 'js-exporter',
      tokenError: { aadsts: 'AADSTS700016', error: 'unauthorized_client' },
    });
    expect(a.serviceMessage).toBe('AADSTS700016: Application not found.');
  });

  it('reads a managed identity error', () => {
    const a = analyzeExchange(
      managedIdentity(400, { error: 'invalid_request', error_description: 'Identity not found' }),
    );
    expect(a).toMatchObject({
      kind: 'imds-token',
      tokenError: { error: 'invalid_request', description: 'Identity not found' },
      serviceMessage: 'Identity not found',
    });
  });

  it('reads the live metrics error message', () => {
    const a = analyzeExchange(livePing(401));
    expect(a.kind).toBe('live-ping');
    expect(a.serviceMessage).toBe(
      'The Agent/SDK does not have permissions to send telemetry to this resource.',
    );
    expect(a.tokenError).toBeUndefined();
  });

  it('keeps Retry-After and the redirect Location', () => {
    expect(
      analyzeExchange(exchange({ response: response(429, { headers: { 'Retry-After': '12' } }) })).retryAfter,
    ).toBe('12');
    const a = analyzeExchange(
      exchange({
        response: response(308, {
          headers: { Location: 'https://x.in.applicationinsights.azure.com/v2.1/track' },
        }),
      }),
    );
    expect(a.location).toBe('https://x.in.applicationinsights.azure.com/v2.1/track');
  });

  it('uses a short plain-text error body as the service message', () => {
    const a = analyzeExchange(
      exchange({
        response: response(400, {
          reason: 'Authentication not supported',
          body: 'Authentication not supported',
        }),
      }),
    );
    expect(a.serviceMessage).toBe('Authentication not supported');
  });

  it('flags a truncated capture', () => {
    const a = analyzeExchange(
      exchange({
        request: {
          headers: {},
          body: body('[{"name":"x"', { truncated: true, decodeError: 'unexpected end of file' }),
        },
      }),
    );
    expect(a.requestBody).toEqual({
      shape: 'text',
      documents: 0,
      invalidLines: 0,
      truncated: true,
      decodeError: 'unexpected end of file',
    });
  });

  it('parses each body once', () => {
    const ex = exchange({
      response: response(206, {
        body: ingestionBody(2, 1, [{ index: 0, statusCode: 206, message: 'Telemetry sampled out.' }]),
      }),
    });
    const spy = jest.spyOn(JSON, 'parse');
    try {
      analyzeExchange(ex);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('never throws, whatever the record holds', () => {
    const broken = { ...exchange(), request: null } as unknown as Parameters<typeof analyzeExchange>[0];
    expect(analyzeExchange(broken)).toEqual({ kind: 'other', sdk: 'unknown' });
  });
});
