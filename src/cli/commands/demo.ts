import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { canUseNetns, spawnInNetns } from '../../demo/netns';
import { runDemo } from '../../demo/run-demo';
import { wantsColour } from '../../sinks/pretty-stream';
import { UsageError } from '../usage-error';

/** The real SDKs the demo drives: devDependencies, so present in a clone after `npm ci` only. */
const DEMO_PACKAGES = [
  '@azure/monitor-opentelemetry-exporter',
  '@azure/identity',
  '@opentelemetry/sdk-trace-node',
  'https-proxy-agent',
];

function missingPackages(): string[] {
  return DEMO_PACKAGES.filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

function demoOptions(cli: Argv) {
  return cli
    .option('color', { type: 'boolean', describe: 'Colour the output (default: when stdout is a terminal)' })
    .option('netns', {
      type: 'boolean',
      default: true,
      describe:
        'Run in a private network namespace when possible (root with unshare); --netns false to never',
    })
    .option('inside-netns', { type: 'boolean', default: false, hidden: true });
}

type DemoArgs = Awaited<ReturnType<typeof demoOptions>['argv']>;

/** Re-runs `demo` inside a private network namespace; resolves with its exit code. */
function runInNamespace(args: DemoArgs): Promise<number> {
  const main = path.resolve(__dirname, '..', 'main.js');
  const argv = [process.execPath, main, 'demo', '--inside-netns'];
  argv.push('--color', String(wantsColour(process.stdout, args.color)));
  const { child, cleanup } = spawnInNetns(argv, { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal; a TERM sent to us is passed on by PID.
  const forward = () => child.kill('SIGTERM');
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`appinsights-auth-proxy demo: ${err.message}\n`);
    });
    child.on('close', (code, signal) => {
      process.off('SIGTERM', forward);
      cleanup();
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe:
    'Show the proxy diagnosing real SDK traffic against a local fake Entra-only resource (needs a clone after npm ci)',
  builder: (cli) => demoOptions(cli) as unknown as Argv<DemoArgs>,
  handler: async (args) => {
    const missing = missingPackages();
    if (missing.length > 0) {
      throw new UsageError(
        `the demo drives the real Azure SDKs (${missing.join(', ')}), which are devDependencies and not in the ` +
          'production image: run it from a clone of the repository after `npm ci`',
      );
    }
    if (!args['inside-netns'] && args.netns && canUseNetns()) {
      (args as { exitCode?: number }).exitCode = await runInNamespace(args);
      return;
    }
    const summary = await runDemo({
      out: process.stdout,
      color: wantsColour(process.stdout, args.color),
      isolation: args['inside-netns'] ? 'netns' : 'resolve-only',
    });
    const allRan = summary.results.length > 0 && summary.results.every((r) => r.lines.length > 0);
    (args as { exitCode?: number }).exitCode = allRan ? 0 : 1;
  },
};
