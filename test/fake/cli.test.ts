import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');

/** Builds the project into a temporary directory (others' type errors do not stop tsc emitting). */
function build(outDir: string): Promise<void> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--outDir', outDir],
      { cwd: ROOT },
      () => resolve(),
    );
  });
}

/** The first JSON line with event fake.listening, or a failure after `ms`. */
function listeningLine(child: ChildProcess, ms: number): Promise<{ port: number; caCert: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no fake.listening line')), ms);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line);
        if (parsed.event === 'fake.listening') {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        /* not JSON */
      }
    });
  });
}

function exitOf(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('did not exit')), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('appinsights-auth-proxy fake-ingestion (built CLI)', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fake-cli-'));
    await build(path.join(dir, 'dist'));
  }, 90_000);
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, answers as an Entra-only resource, and stops cleanly on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [
        path.join(dir, 'dist/cli/main.js'),
        'fake-ingestion',
        '--port',
        '0',
        '--ca-dir',
        path.join(dir, 'certs'),
        '--scenario',
        'ok',
      ],
      {
        env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const { port, caCert } = await listeningLine(child, 20_000);
    const status = await new Promise<[number, string]>((resolve, reject) => {
      https
        .request(
          {
            host: '127.0.0.1',
            port,
            servername: 'westus-0.in.applicationinsights.azure.com',
            ca: readFileSync(caCert, 'utf8'),
            method: 'POST',
            path: '/v2.1/track',
            headers: {
              host: 'westus-0.in.applicationinsights.azure.com',
              'content-type': 'application/json',
            },
            agent: false,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve([res.statusCode ?? 0, res.statusMessage ?? '']));
          },
        )
        .on('error', reject)
        .end('[]');
    });
    expect(status).toEqual([401, 'Unauthorized - please provide the valid authorization token']);
    child.kill('SIGTERM');
    expect(await exitOf(child, 10_000)).toBe(0);
  }, 40_000);
});
