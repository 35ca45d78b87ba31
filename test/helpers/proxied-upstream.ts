import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunProxyOptions } from '../../src/cli/run-proxy';
import { startTestProxy, type TestProxy } from './proxy-harness';
import { tempDir } from './tmp';
import { startUpstream, type TestUpstream } from './upstream';

export interface ProxiedUpstream {
  proxy: TestProxy;
  upstream: TestUpstream;
  close(): Promise<void>;
}

/** A local HTTPS upstream for `host`, and a proxy that sends `host` there and trusts it. */
export async function startProxiedUpstream(
  host: string,
  overrides: Partial<RunProxyOptions> = {},
): Promise<ProxiedUpstream> {
  const upstream = await startUpstream([host]);
  const tmp = tempDir('aiproxy-upstream-trust-');
  const ca = path.join(tmp.dir, 'upstream-ca.pem');
  writeFileSync(ca, upstream.caPem);
  const proxy = await startTestProxy({
    resolve: [`${host}:443=127.0.0.1:${upstream.port}`],
    upstreamCa: [ca],
    ...overrides,
  });
  return {
    proxy,
    upstream,
    async close() {
      await proxy.close();
      await upstream.close();
      tmp.cleanup();
    },
  };
}
