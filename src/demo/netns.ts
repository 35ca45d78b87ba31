/**
 * A private network namespace for real-SDK traffic: only loopback, and a private /etc/hosts that
 * sends the Azure host names to 127.0.0.1. Real Azure SDKs open direct connections to Azure IMDS
 * (169.254.169.254) that no proxy setting stops; inside the namespace there is no route for them.
 * Needs root (or CAP_SYS_ADMIN) and util-linux `unshare`, plus iproute2 `ip`.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Names the SDKs and the fake use; all of them are 127.0.0.1 inside the namespace. */
export const AZURE_TEST_HOSTS: readonly string[] = [
  'westus-0.in.applicationinsights.azure.com',
  'westus2-1.in.applicationinsights.azure.com',
  'westus.livediagnostics.monitor.azure.com',
  'dc.services.visualstudio.com',
  'login.microsoftonline.com',
  'login.windows.net',
  'settings.sdk.monitor.azure.com',
  'api.applicationinsights.io',
  'monitor.azure.com',
];

/** The hosts file used inside the namespace. */
export function privateHostsFile(extraHosts: readonly string[] = []): string {
  const names = [...AZURE_TEST_HOSTS, ...extraHosts];
  return [
    '# private hosts file of an appinsights-auth-proxy network namespace: everything is this machine',
    '127.0.0.1 localhost',
    '::1 localhost',
    ...names.map((n) => `127.0.0.1 ${n}`),
    '',
  ].join('\n');
}

let probed: boolean | undefined;

/** True when this process can make a private network namespace (root, unshare and ip present). */
export function canUseNetns(): boolean {
  if (probed !== undefined) return probed;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return (probed = false);
  const probe = spawnSync('unshare', ['-n', '-m', '--', 'sh', '-c', 'ip link set lo up'], {
    stdio: 'ignore',
    timeout: 5000,
  });
  return (probed = probe.status === 0);
}

export interface NetnsProcess {
  child: ChildProcess;
  /** Removes the temporary hosts file (call after the child exited). */
  cleanup(): void;
}

/**
 * Spawns argv inside a fresh namespace: `lo` up, the private hosts file bind-mounted over
 * /etc/hosts (in a private mount namespace, so the machine's own file is untouched).
 */
export function spawnInNetns(
  argv: string[],
  options: SpawnOptions & { extraHosts?: readonly string[] } = {},
): NetnsProcess {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aiproxy-netns-'));
  const hosts = path.join(dir, 'hosts');
  writeFileSync(hosts, privateHostsFile(options.extraHosts));
  // $1 is the hosts file; the rest is the command (no shell interpolation of argv).
  const script = 'ip link set lo up && mount --bind "$1" /etc/hosts && shift && exec "$@"';
  const { extraHosts: _extra, ...spawnOptions } = options;
  const child = spawn(
    'unshare',
    ['-n', '-m', '--', 'sh', '-c', script, 'netns', hosts, ...argv],
    spawnOptions,
  );
  return { child, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
