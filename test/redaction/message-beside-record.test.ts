import { exchangeHeadline } from '../../src/proxy/record-exchange';
import { logSink } from '../../src/sinks/exchange-sink';
import { APP_IKEY, exchange, response } from '../fixtures/exchanges';
import { memoryLogger } from '../helpers/memory-logger';
import { finding } from '../sinks/fixtures';

/**
 * A log line's message (`GET host/a/<key>/b → 404`) was masked alone, apart from its record: a
 * GUID in a path is not known to be a key, so the full iKey stayed in `msg` on stdout while the
 * same line's url and path, whose record names the key, showed it masked. The message is now
 * masked with the keys its record shows, as a line read back is.
 */
describe("a log line's message is masked with its record's keys", () => {
  const unmasked = APP_IKEY.slice(9); // 2222-3333-4444-555555555555: what a mask never shows
  const line = () => {
    // A failure keeps its bodies, and the body names the key (masked, as captured); the path holds
    // the key where no rule expects one, so alone it is just a GUID.
    const ex = exchange({
      request: { method: 'POST', path: `/x/${APP_IKEY}/track` },
      response: response(401, { body: '{"error":"no token"}' }),
    });
    return { msg: exchangeHeadline(ex), exchange: ex, findings: [finding('TOKEN_MISSING', 'error')] };
  };

  it('the JSON log: no full key anywhere on the line, the message shows it masked', () => {
    const { logger, text } = memoryLogger();
    logSink(logger, 'failures', 'first').write(line());
    const written = text();
    expect(written).not.toContain(unmasked);
    expect(JSON.parse(written.trim()).msg).toMatch(/\/x\/11111111-\*{4}-\*{4}-\*{4}-\*{8}5555\/track → 401/);
  });

  it('a message with nothing key-like is left as it was', () => {
    const { logger, text } = memoryLogger();
    logSink(logger, 'failures', 'first').write({
      ...line(),
      msg: 'POST westus-0.example/v2.1/track → 200 OK',
    });
    expect(JSON.parse(text().trim()).msg).toBe('POST westus-0.example/v2.1/track → 200 OK');
  });
});
