import { randomBytes } from 'node:crypto';
import { harEntry, harFrom } from '../../src/sinks/har';
import { harSchemaErrors } from './har-schema';
import { exchange, finding, logLine } from './fixtures';

describe('HAR entries from exchanges', () => {
  it('a HAR of fixture lines validates against the HAR 1.2 schema and keeps findings', () => {
    const lines = [logLine(), logLine({ findings: [finding('TOKEN_MISSING', 'error')] })];
    const har = harFrom(lines);
    expect(harSchemaErrors(JSON.parse(JSON.stringify(har)))).toEqual([]);
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator.name).toBe('appinsights-auth-proxy');
    expect(har.log.entries[1]!._findings.map((f) => f.id)).toEqual(['TOKEN_MISSING']);
  });

  it('maps request and response as DevTools expects', () => {
    const ex = exchange({ path: '/v2.1/track?ikey=11111111-****-****-****-********5555' });
    ex.response!.headers.location = 'https://elsewhere/';
    const entry = harEntry({ exchange: ex, findings: [] });
    expect(entry.request).toMatchObject({
      method: 'POST',
      httpVersion: 'HTTP/1.1',
      headersSize: -1,
      bodySize: 120,
      queryString: [{ name: 'ikey', value: '11111111-****-****-****-********5555' }],
      postData: {
        mimeType: 'application/x-json-stream',
        text: '{"iKey":"11111111-****-****-****-********5555"}',
      },
    });
    expect(entry.request.headers).toContainEqual({ name: 'authorization', value: '[redacted]' });
    expect(entry.request._authorization).toMatchObject({ scheme: 'Bearer', fingerprint: 'a1b2c3d4e5f6' });
    expect(entry.response).toMatchObject({
      status: 200,
      statusText: 'OK',
      redirectURL: 'https://elsewhere/',
      bodySize: 60,
    });
    expect(entry.response.content).toEqual({
      size: 60,
      mimeType: 'application/json',
      text: '{"itemsReceived":3,"itemsAccepted":3,"errors":[]}',
    });
    expect(entry.timings).toEqual({
      blocked: -1,
      dns: -1,
      connect: -1,
      ssl: -1,
      send: 0,
      wait: 40,
      receive: 5,
    });
    expect(entry.serverIPAddress).toBe('127.0.0.1');
    expect(entry.time).toBe(45);
  });

  it('binary bodies are base64; cut bodies say so; gzip savings are the compression', () => {
    const ex = exchange();
    const bytes = randomBytes(32).toString('base64');
    ex.request.body = {
      size: 5000,
      captured: 1024,
      truncated: true,
      contentType: 'application/octet-stream',
      base64: bytes,
    };
    ex.response!.body = {
      size: 40,
      captured: 40,
      truncated: false,
      contentEncoding: 'gzip',
      decodedSize: 100,
      text: 'x'.repeat(100),
    };
    const entry = harEntry({ exchange: ex });
    expect(entry.request.postData).toEqual({
      mimeType: 'application/octet-stream',
      text: bytes,
      _encoding: 'base64',
      comment: 'body cut at the capture cap: 1024 of 5000 bytes kept',
    });
    expect(entry.response.content).toMatchObject({ size: 100, compression: 60 });
    const binaryAnswer = exchange();
    binaryAnswer.response!.body = { size: 3, captured: 3, truncated: false, base64: 'AAEC' };
    expect(harEntry({ exchange: binaryAnswer }).response.content).toMatchObject({
      text: 'AAEC',
      encoding: 'base64',
    });
    expect(harSchemaErrors(JSON.parse(JSON.stringify(harFrom([{ exchange: ex }]))))).toEqual([]);
  });

  it('an exchange without an answer is status 0 with the error, still valid HAR', () => {
    const ex = exchange({
      response: undefined,
      error: { kind: 'CLIENT_TLS_REJECTED', message: 'client sent alert unknown ca', alert: 'unknown ca' },
    });
    const entry = harEntry({ exchange: ex, findings: [finding('CLIENT_DOES_NOT_TRUST_PROXY_CA', 'error')] });
    expect(entry.response).toMatchObject({
      status: 0,
      statusText: 'CLIENT_TLS_REJECTED',
      comment: 'client sent alert unknown ca',
    });
    expect(entry._error).toMatchObject({ alert: 'unknown ca' });
    expect(harSchemaErrors(JSON.parse(JSON.stringify(harFrom([{ exchange: ex }]))))).toEqual([]);
  });

  it('the schema check itself rejects a broken HAR', () => {
    const broken = JSON.parse(JSON.stringify(harFrom([logLine()])));
    delete broken.log.entries[0].request.url;
    broken.log.entries[0].startedDateTime = 'yesterday';
    expect(harSchemaErrors(broken).length).toBeGreaterThanOrEqual(2);
  });
});
