import { parseIngestionResponse } from '../../src/ingestion/ingestion-response';
import { parseTokenError } from '../../src/ingestion/token-error';

describe('parseIngestionResponse', () => {
  it('reads a full answer with appId and per-item errors', () => {
    const r = parseIngestionResponse({
      itemsReceived: 2,
      itemsAccepted: 1,
      appId: null,
      errors: [
        {
          index: 0,
          statusCode: 400,
          message: "109: Field 'startTime' on type 'RequestData' is required but missing or empty.",
        },
      ],
    });
    expect(r).toEqual({
      itemsReceived: 2,
      itemsAccepted: 1,
      appId: null,
      errors: [
        {
          index: 0,
          statusCode: 400,
          message: "109: Field 'startTime' on type 'RequestData' is required but missing or empty.",
        },
      ],
      errorCount: 1,
    });
  });

  it('reads an older answer without appId', () => {
    expect(parseIngestionResponse({ itemsReceived: 1, itemsAccepted: 1, errors: [] })).toEqual({
      itemsReceived: 1,
      itemsAccepted: 1,
      errors: [],
      errorCount: 0,
    });
  });

  it('masks an iKey quoted in a message', () => {
    const r = parseIngestionResponse({
      errors: [{ index: 0, message: 'bad key 11111111-2222-3333-4444-555555555555' }],
    });
    expect(r?.errors[0]?.message).toBe('bad key 11111111-****-****-****-********5555');
  });

  it('ignores other shapes and wrong types', () => {
    expect(parseIngestionResponse({ error: 'x' })).toBeUndefined();
    expect(parseIngestionResponse('text')).toBeUndefined();
    expect(parseIngestionResponse([])).toBeUndefined();
    expect(parseIngestionResponse({ itemsReceived: 'two', errors: [null, 3, { index: 'x' }] })).toEqual({
      errors: [{}],
      errorCount: 3,
    });
  });

  it('keeps at most 50 errors but counts all', () => {
    const errors = Array.from({ length: 80 }, (_, i) => ({
      index: i,
      statusCode: 206,
      message: 'Telemetry sampled out.',
    }));
    const r = parseIngestionResponse({ itemsReceived: 80, itemsAccepted: 0, errors });
    expect(r?.errors).toHaveLength(50);
    expect(r?.errorCount).toBe(80);
  });
});

describe('parseTokenError', () => {
  it('reads an Entra error with codes, trace and correlation ids', () => {
    const e = parseTokenError({
      error: 'unauthorized_client',
      error_description:
        "AADSTS700016: Application with identifier 'a' was not found in the directory 't'.\r\nTrace ID: 11111111-0000-0000-0000-000000000001\r\nCorrelation ID: 11111111-0000-0000-0000-000000000002\r\nTimestamp: 2026-11-26 19:20:06Z",
      error_codes: [700016],
      trace_id: '11111111-0000-0000-0000-000000000001',
      correlation_id: '11111111-0000-0000-0000-000000000002',
    });
    expect(e).toEqual({
      error: 'unauthorized_client',
      errorCodes: [700016],
      aadsts: 'AADSTS700016',
      description: "AADSTS700016: Application with identifier 'a' was not found in the directory 't'.",
      traceId: '11111111-0000-0000-0000-000000000001',
      correlationId: '11111111-0000-0000-0000-000000000002',
    });
  });

  it('takes the AADSTS code and ids from the description when fields are missing', () => {
    const e = parseTokenError({
      error: 'invalid_client',
      error_description:
        'AADSTS7000215: Invalid client secret provided.\nTrace ID: 22222222-0000-0000-0000-000000000001\nCorrelation ID: 22222222-0000-0000-0000-000000000002',
    });
    expect(e).toMatchObject({
      aadsts: 'AADSTS7000215',
      traceId: '22222222-0000-0000-0000-000000000001',
      correlationId: '22222222-0000-0000-0000-000000000002',
    });
  });

  it('reads IMDS and App Service identity errors', () => {
    expect(parseTokenError({ error: 'invalid_request', error_description: 'Identity not found' })).toEqual({
      error: 'invalid_request',
      description: 'Identity not found',
    });
    expect(
      parseTokenError({ statusCode: 400, message: 'No User Assigned or Delegated Managed Identity found' }),
    ).toEqual({
      description: 'No User Assigned or Delegated Managed Identity found',
    });
  });

  it('ignores success bodies and garbage', () => {
    expect(parseTokenError({ access_token: '[redacted]', token_type: 'Bearer' })).toBeUndefined();
    expect(parseTokenError(null)).toBeUndefined();
    expect(parseTokenError('AADSTS700016')).toBeUndefined();
    expect(parseTokenError({ error_codes: ['x'] })).toBeUndefined();
  });
});
