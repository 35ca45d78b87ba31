/**
 * The finished Exchange is readonly all the way down (issue 15): sinks, rules and readers only
 * look. These are compile-time checks — `npm test` runs `tsc -p tsconfig.test.json` first, and each
 * `@ts-expect-error` fails that build the day the field it guards becomes writable again.
 */
import type { Exchange } from '../../src/model/exchange';
import { exchange } from '../fixtures/exchanges';

/** Never called: only compiled. Each line is a write the type must refuse. */
function writes(done: Exchange): void {
  // @ts-expect-error top-level field
  done.response = undefined;
  // @ts-expect-error nested record
  done.request.body.text = 'changed';
  // @ts-expect-error header map
  done.request.headers['x-new'] = 'v';
  // @ts-expect-error timings
  done.timings.total = 1;
  // @ts-expect-error decoded claims
  done.request.authorization!.jwt!.claims.exp = 0;
  // @ts-expect-error arrays inside are readonly too
  (done.request.authorization!.jwt!.claims.roles ?? []).push('Owner');
  // @ts-expect-error header values given as arrays
  (done.request.headers['set-cookie'] as readonly string[]).push('x');
}

describe('Exchange is readonly', () => {
  it('a fixture (a draft the test may edit) is still accepted where a finished Exchange is', () => {
    const draft = exchange();
    draft.timings.total = 7;
    const done: Exchange = draft;
    expect(done.timings.total).toBe(7);
    expect(typeof writes).toBe('function');
  });
});
