import { diagnose } from '../../src/diagnosis';
import { localAuthOf } from '../../src/check/local-auth';
import { exchange, ingestionBody, response, withoutToken } from '../fixtures/exchanges';

/** The answer to check --probe-local-auth's tokenless POST to v2/track, through the diagnosis. */
function probe(status: number, o: Parameters<typeof response>[1] = {}) {
  const { findings } = diagnose(
    exchange({ request: withoutToken({ path: '/v2/track' }), response: response(status, o) }),
    {
      connectionStrings: [],
      expectEntra: false,
    },
  );
  return localAuthOf(status, findings);
}

describe('check --probe-local-auth: what the answer says', () => {
  it.each([
    [400, { reason: 'Authentication not supported' }],
    [401, {}],
    [403, {}],
  ])('%s (an Entra-only refusal) → disabled', (status, o) => {
    expect(probe(status, o)).toBe('disabled');
  });

  it.each([200, 206])('%s → enabled', (status) => {
    expect(probe(status, { body: ingestionBody(1, 1) })).toBe('enabled');
  });

  it('400 "Invalid instrumentation key" says nothing about local authentication', () => {
    const body = ingestionBody(1, 0, [{ index: 0, statusCode: 400, message: 'Invalid instrumentation key' }]);
    expect(probe(400, { body })).toBe('unknown');
  });

  it.each([429, 439, 500, 503, 307])(
    '%s says nothing about local authentication (it was called enabled)',
    (status) => {
      expect(probe(status)).toBe('unknown');
    },
  );

  it('no answer at all is unknown', () => {
    expect(localAuthOf(undefined, [])).toBe('unknown');
  });
});
