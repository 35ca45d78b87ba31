import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../certs/java';
import { expandGuidance } from '../../src/diagnosis/guidance-ref';

/** Helpers shared by the podman tests (scripts/container-test.sh sets CONTAINER_TEST=1 and DOCKER_HOST). */
export const containerTestsEnabled = process.env.CONTAINER_TEST === '1';
export const REPO = path.join(__dirname, '..', '..');

const quietStderr = (stderr: string) =>
  stderr
    .split('\n')
    // no systemd here: podman warns about healthcheck timers on every start and stop; not a failure
    .filter((l) => !/systemd/.test(l))
    .join('\n');

export async function podman(args: string[], timeoutMs = 60_000) {
  const r = await run('podman', args, process.env, timeoutMs);
  return { ...r, stderr: quietStderr(r.stderr) };
}

/** Runs docker-compose (against podman's API socket in DOCKER_HOST) from docker/, as the README does. */
export async function compose(
  project: string,
  args: string[],
  { timeoutMs = 180_000, files = ['compose.yaml', 'compose.rehearsal.yaml'], env = process.env } = {},
) {
  const r = await run(
    'sh',
    [
      '-c',
      `cd "${path.join(REPO, 'docker')}" && exec docker-compose "$@"`,
      'sh',
      '-p',
      project,
      ...files.flatMap((f) => ['-f', f]),
      ...args,
    ],
    env,
    timeoutMs,
  );
  return { ...r, stderr: quietStderr(r.stderr) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` (bounded) until it returns a value; throws with `describe()` when time is up. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => Promise<string> | string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) break;
    await sleep(500);
  }
  throw new Error(`timed out: ${await describe()}`);
}

/** The JSON lines of a container's stdout. */
export async function jsonLogs(container: string): Promise<any[]> {
  const out = (await podman(['logs', container])).stdout;
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return expandGuidance(JSON.parse(l)); // read as every log reader does
      } catch {
        return undefined;
      }
    })
    .filter(Boolean);
}

/** The first annotated 401 exchange line of the proxy's log. */
export function annotated401(lines: any[]): any {
  return lines.find((l) => l.exchange?.response?.status === 401 && l.findings?.length > 0);
}

/** The proxy's start-up banner line. */
export function bannerLine(lines: any[]): any {
  return lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('appinsights-auth-proxy listening'));
}

export async function inspect(container: string, format: string): Promise<string> {
  return (await podman(['inspect', container, '--format', format])).stdout.trim();
}

/** The host path of a named volume (podman as root). */
export async function volumePath(volume: string): Promise<string> {
  return (await podman(['volume', 'inspect', volume, '--format', '{{.Mountpoint}}'])).stdout.trim();
}

/**
 * Tries, from inside `container`, to find the CA private key: the file where the proxy keeps it,
 * and its content anywhere on the container's filesystem. Returns what the attempts printed.
 */
export async function tryToReadKey(
  container: string,
  keyFile: string,
): Promise<{ cat: number; found: string }> {
  const key = readFileSync(keyFile, 'utf8');
  // a line from the middle of the base64 body: unique to this key
  const lines = key.trim().split('\n');
  const needle = lines[Math.floor(lines.length / 2)]!;
  const cat = await podman(['exec', container, 'cat', '/certs/ca.key']);
  const search = await podman(
    [
      'exec',
      container,
      'sh',
      '-c',
      `grep -rlsF -e "$1" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true`,
      'sh',
      needle,
    ],
    180_000,
  );
  return { cat: cat.code ?? -1, found: search.stdout.trim() };
}

/** "-Dname=value" pairs of a JAVA_TOOL_OPTIONS string. */
export function jvmFlags(options: string): Record<string, string> {
  return Object.fromEntries(
    options
      .replace(/'/g, '')
      .split(/\s+/)
      .filter((f) => f.startsWith('-D'))
      .map((f) => {
        const [k, ...v] = f.slice(2).split('=');
        return [k!, v.join('=')];
      }),
  );
}
