import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withBodiesPolicy } from '../../src/sinks/exchange-sink';
import { HarFileSink } from '../../src/sinks/har-sink';
import { tempDir } from '../helpers/tmp';
import { exchange, finding, logLine } from './fixtures';

/** `--har` keeps bodies exactly as the log does (`--log-bodies`). */
describe('--har honours --log-bodies', () => {
  const tmp = tempDir('aiproxy-har-bodies-');
  afterAll(() => tmp.cleanup());

  async function entries(bodies: 'failures' | 'all' | 'none'): Promise<any[]> {
    const file = path.join(tmp.dir, `${bodies}.har`);
    const sink = new HarFileSink(file, bodies);
    sink.write(logLine() as any); // healthy
    sink.write(
      logLine({
        level: 'error',
        exchange: exchange({ status: 401, reason: 'Unauthorized' }),
        findings: [finding('TOKEN_MISSING', 'error')],
      }) as any,
    );
    await sink.close();
    return JSON.parse(readFileSync(file, 'utf8')).log.entries;
  }

  it('failures (the default): only the failing exchange keeps its body text', async () => {
    const [healthy, failing] = await entries('failures');
    expect(healthy.request.postData.text).toBe('');
    expect(healthy.response.content.text).toBeUndefined();
    // The empty text is explained: the body was sent, the log did not keep it.
    expect(healthy.request.postData.comment).toMatch(/^body not kept: the log keeps bodies of failures only/);
    expect(healthy.response.content.comment).toMatch(/^body not kept: the log keeps bodies of failures only/);
    expect(failing.request.postData.text).toContain('iKey');
    expect(failing.response.content.text).toContain('itemsReceived');
  });

  it('none: no body text at all; all: every body', async () => {
    for (const e of await entries('none')) {
      expect(e.request.postData.text).toBe('');
      expect(e.response.content.text).toBeUndefined();
    }
    for (const e of await entries('all')) expect(e.request.postData.text).toContain('iKey');
  });

  it('none: a failure says its body was not kept because of the flag, not because it was healthy', async () => {
    const failing = logLine({
      level: 'error',
      exchange: exchange({ status: 401, reason: 'Unauthorized' }),
      findings: [finding('TOKEN_MISSING', 'error')],
    }) as any;
    const logged = withBodiesPolicy(failing, 'none');
    expect(logged.exchange.request.body.omitted).toBe('off');
    expect(logged.exchange.response!.body.omitted).toBe('off');
    const [, entry] = await entries('none');
    expect(entry.request.postData.comment).toBe('body not kept: --log-bodies none');
  });
});
