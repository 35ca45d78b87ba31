import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runProxy } from '../../src/cli/run-proxy';
import { PrettyTransform } from '../../src/sinks/pretty-stream';
import { DEFAULT_TEST_OPTIONS } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';

describe('--log-format pretty', () => {
  it('the proxy writes its log through the readable view', async () => {
    const tmp = tempDir('aiproxy-pretty-');
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const running = await runProxy({
      ...DEFAULT_TEST_OPTIONS,
      caDir: path.join(tmp.dir, 'certs'),
      logFormat: 'pretty',
      prettyStream: () => {
        const view = new PrettyTransform({ color: false, onlyFindings: false });
        view.pipe(out);
        return view;
      },
    });
    try {
      const until = Date.now() + 5000;
      while (!text.includes('listening') && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(text).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}appinsights-auth-proxy listening on 127\.0\.0\.1:\d+/,
      );
      expect(text).toContain('\n      java: -Dhttps.proxyHost=127.0.0.1');
      expect(text).not.toContain('{"level"');
    } finally {
      await running.close();
      tmp.cleanup();
    }
  });
});
