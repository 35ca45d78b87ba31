import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';
import { tempDir } from '../helpers/tmp';

/** Debian's chromium, installed by scripts/install-test-deps.sh; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A page on another site that resolves its own name to us (DNS rebinding), without a DNS server.
  '--host-resolver-rules=MAP rebind.test 127.0.0.1',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A real headless chromium with a fresh profile, removed on close. */
export async function launchBrowser(
  options: { httpCredentials?: { username: string; password: string } } = {},
): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-test-deps.sh`);
  const profile = tempDir('aiproxy-chromium-');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1500, height: 900 },
    timeout: 30_000,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      profile.cleanup();
    },
  };
}
