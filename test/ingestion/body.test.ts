import { parseJsonBody } from '../../src/ingestion/body';
import { summarizeEnvelopes, ensureMaskedIkey } from '../../src/ingestion/envelopes';
import { redactText } from '../../src/ingestion/redact';
import { envelope, jsonArray, ndjson, STATSBEAT_IKEY } from '../fixtures/exchanges';

describe('parseJsonBody', () => {
  it.each([
    ['JSON array', '[{"a":1},{"a":2}]', 'json-array', 2, 0],
    ['NDJSON without a trailing newline', '{"a":1}\n{"a":2}', 'ndjson', 2, 0],
    ['NDJSON with CRLF and a trailing newline', '{"a":1}\r\n{"a":2}\r\n', 'ndjson', 2, 0],
    ['single object (the support article curl)', '{"name":"x"}', 'json-object', 1, 0],
    ['NDJSON cut by the capture cap', '{"a":1}\n{"a":2}\n{"a":', 'ndjson', 2, 1],
    ['empty', '', 'empty', 0, 0],
    ['plain text', 'Unauthorized', 'text', 0, 0],
    ['truncated array', '[{"a":1},{"a"', 'text', 0, 0],
    ['a bare JSON value', '[]', 'json-array', 0, 0],
    ['whitespace', '   ', 'empty', 0, 0],
  ])('%s', (_name, text, shape, documents, invalidLines) => {
    const parsed = parseJsonBody(text);
    expect({
      shape: parsed.shape,
      documents: parsed.documents.length,
      invalidLines: parsed.invalidLines,
    }).toEqual({ shape, documents, invalidLines });
  });

  it.each([
    ['a JSON array', '\ufeff[{"a":1},{"a":2}]', 'json-array', 2],
    [
      'one object (an ingestion answer)',
      '\ufeff{"itemsReceived":1,"itemsAccepted":0,"errors":[]}',
      'json-object',
      1,
    ],
  ])('reads %s that starts with a UTF-8 byte-order mark', (_name, text, shape, count) => {
    const parsed = parseJsonBody(text);
    expect(parsed.shape).toBe(shape);
    expect(parsed.documents).toHaveLength(count);
  });

  it('handles an undefined body', () => {
    expect(parseJsonBody(undefined).shape).toBe('empty');
  });
});

describe('summarizeEnvelopes', () => {
  it('counts by baseType and lists masked iKeys, sdkVersions and roles', () => {
    const text = redactText(
      jsonArray([
        envelope({ baseType: 'RequestData', role: 'web' }),
        envelope({ baseType: 'RequestData', role: 'web' }),
        envelope({ baseType: 'MetricData', role: 'worker', sdkVersion: 'java:3.5.0' }),
      ]),
    );
    const summary = summarizeEnvelopes(parseJsonBody(text).documents);
    expect(summary).toEqual({
      count: 3,
      byType: { RequestData: 2, MetricData: 1 },
      iKeys: ['11111111-****-****-****-********5555'],
      sdkVersions: ['node20:otel2.12.1:ext1.0.0-beta.47', 'java:3.5.0'],
      roleNames: ['web', 'worker'],
      statsbeat: 0,
      notEnvelopes: 0,
    });
  });

  it('uses the last name segment when there is no baseType (Node 2.x names embed the iKey)', () => {
    const text = redactText(
      ndjson([
        {
          name: 'Microsoft.ApplicationInsights.11111111222233334444555555555555.Event',
          iKey: '11111111-2222-3333-4444-555555555555',
        },
      ]),
    );
    expect(text).not.toContain('11111111222233334444555555555555');
    const summary = summarizeEnvelopes(parseJsonBody(text).documents);
    expect(summary.byType).toEqual({ Event: 1 });
  });

  it('masks a full iKey that reached it unmasked', () => {
    const summary = summarizeEnvelopes([{ name: 'x', iKey: '11111111-2222-3333-4444-555555555555' }]);
    expect(summary.iKeys).toEqual(['11111111-****-****-****-********5555']);
  });

  it('recognises statsbeat by its masked iKey and by its name', () => {
    const byKey = summarizeEnvelopes(
      parseJsonBody(redactText(ndjson([envelope({ iKey: STATSBEAT_IKEY, name: 'Statsbeat' })]))).documents,
    );
    expect(byKey.statsbeat).toBe(1);
    const byName = summarizeEnvelopes([{ name: 'Microsoft.ApplicationInsights.Statsbeat', iKey: 'x' }]);
    expect(byName.statsbeat).toBe(1);
    expect(summarizeEnvelopes([envelope()]).statsbeat).toBe(0);
  });

  it('counts documents that are not envelopes', () => {
    expect(summarizeEnvelopes([1, 'x', null, {}, []]).notEnvelopes).toBe(5);
  });

  it('ensureMaskedIkey keeps masked keys and masks full ones', () => {
    expect(ensureMaskedIkey('11111111-****-****-****-********5555')).toBe(
      '11111111-****-****-****-********5555',
    );
    expect(ensureMaskedIkey('11111111222233334444555555555555')).toBe('11111111-****-****-****-********5555');
  });
});
