/**
 * The demo stack: the fake (an Entra-only Application Insights resource and its Entra tenant),
 * the proxy in front of it, and an SDK app process whose traffic goes through the proxy. Runs
 * declared steps one at a time and hands back what the proxy logged for each.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createCa } from '../certs/ca';
import { RUN_PROXY_DEFAULTS, runProxy, type RunningProxy } from '../cli/run-proxy';
import { startFakeServices, type FakeServices } from '../fake';
import type { IngestionSettings } from '../fake/settings';
import type {
  ActionOutcome,
  AppAction,
  AppReply,
  AppRequest,
  CredentialSpec,
  Step,
  StepResult,
} from './steps';
import { expandGuidance } from '../diagnosis/guidance-ref';

export const DEMO_IKEY = '11111111-2222-3333-4444-555555555555';
export const DEMO_INGESTION_HOST = 'westus-0.in.applicationinsights.azure.com';
/** A real-looking connection string: the exporter gzips only for Azure host names. */
export const DEMO_CONNECTION_STRING =
  `InstrumentationKey=${DEMO_IKEY};IngestionEndpoint=https://${DEMO_INGESTION_HOST}/;` +
  'LiveEndpoint=https://westus.livediagnostics.monitor.azure.com/';

export interface StackOptions {
  /**
   * Set APPLICATION_INSIGHTS_NO_STATSBEAT=true in the app: the only setting that stops the
   * exporter's direct (unproxied) connections to Azure IMDS at 169.254.169.254.
   */
  noStatsbeat: boolean;
  /** Called with every proxy log line as it is written. */
  onLine?: (line: Record<string, any>) => void;
  /** Keep the fake's own log lines (one per request it answered). */
  keepFakeLog?: boolean;
  /**
   * Port of the fake (default: ephemeral). Inside a private network namespace, 443 lets programs
   * reach the fake directly by the Azure names, without the proxy (the `check` tests do).
   */
  fakePort?: number;
  /** The proxy's --quiet-after (default 60 s). */
  quietAfter?: number;
}

export interface Stack {
  fake: FakeServices;
  proxy: RunningProxy;
  proxyCaPath: string;
  workDir: string;
  /** Every proxy log line so far. */
  lines: Record<string, any>[];
  fakeLog: string[];
  /** PID of the SDK app process (tests check it is gone after close). */
  appPid: number | undefined;
  /** The last few KB the SDK app wrote to stderr (SDK warnings). */
  appStderr(): string;
  run(step: Step): Promise<StepResult>;
  close(): Promise<void>;
}

class LineCollector extends Writable {
  private pending = '';
  constructor(private readonly onLine: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.pending += chunk.toString();
    let nl = this.pending.indexOf('\n');
    while (nl !== -1) {
      const text = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (text.trim()) this.onLine(text);
      nl = this.pending.indexOf('\n');
    }
    done();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SDK app child process and its request/reply channel. */
class AppProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (outcome: ActionOutcome) => void>();
  private exited = false;
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    child.on('message', (message: AppReply) => {
      if (message.id === 0) return markReady();
      this.waiting.get(message.id)?.(message.outcome);
      this.waiting.delete(message.id);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      markReady();
      for (const settle of this.waiting.values())
        settle({ ok: false, error: `SDK app exited (${code ?? signal})` });
      this.waiting.clear();
    });
  }

  call(request: Omit<AppRequest, 'id'>, timeoutMs: number): Promise<ActionOutcome> {
    if (this.exited) return Promise.resolve({ ok: false, error: 'SDK app is not running' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ ok: false, error: `no answer from the SDK app within ${timeoutMs} ms` });
      }, timeoutMs);
      this.waiting.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
      this.child.send({ id, ...request } satisfies AppRequest);
    });
  }

  /** Asks the app to exit; kills it (by its PID) if it has not within the grace period. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) {
      void this.call({ action: { kind: 'exit' }, connectionString: '', storageDirectory: '' }, graceMs);
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** Where the compiled SDK app lives (dist/demo/sdk-app.js). */
function sdkAppPath(): string {
  const here = __dirname;
  // Under ts-jest this file runs from src/; the app must run compiled.
  const dist = here.endsWith(path.join('src', 'demo')) ? path.resolve(here, '../../dist/demo') : here;
  return path.join(dist, 'sdk-app.js');
}

function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

function runCommand(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<ActionOutcome> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) return resolve({ ok: false, error: 'empty command' });
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, error: err.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        ok: code === 0,
        error:
          code === 0
            ? undefined
            : `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        detail: { code, stdout: stdout.slice(-20000), stderr: stderr.slice(-8000) },
      });
    });
  });
}

/** Starts the fake, the proxy and the SDK app, everything on 127.0.0.1 with ephemeral ports. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'aiproxy-demo-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(workDir, { recursive: true, force: true })];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // keep closing the rest
      }
    }
    cleanups.length = 0;
  };
  try {
    // The fake has its own CA (as the real service has its own chain); the proxy trusts it upstream.
    const fakeCa = await createCa(path.join(workDir, 'fake-ca'));
    const fakeLog: string[] = [];
    const fake = await startFakeServices({
      ca: fakeCa,
      port: options.fakePort ?? 0,
      ingestion: { auth: 'entra-only', ikeys: [DEMO_IKEY] },
      logDestination: new LineCollector((text) => {
        if (options.keepFakeLog) fakeLog.push(text);
      }),
    });
    cleanups.push(() => fake.close());
    const baseline: IngestionSettings = { ...fake.settings };

    const lines: Record<string, any>[] = [];
    const proxy = await runProxy({
      ...RUN_PROXY_DEFAULTS,
      port: 0,
      caDir: path.join(workDir, 'proxy-ca'),
      connectionString: [DEMO_CONNECTION_STRING],
      // Every name the proxy connects to goes to the fake, intercepted or tunnelled alike: nothing
      // the proxy forwards can leave this machine, whatever the app asks for.
      resolve: [`*:443=127.0.0.1:${fake.port}`],
      upstreamCa: [fakeCa.certPath],
      upstreamTimeout: 10000,
      idleTimeout: 10000,
      quietAfter: options.quietAfter,
      logDestination: new LineCollector((text) => {
        let line: Record<string, any>;
        try {
          line = expandGuidance(JSON.parse(text)) as Record<string, any>;
        } catch {
          line = { msg: text };
        }
        lines.push(line);
        options.onLine?.(line);
      }),
    });
    cleanups.push(() => proxy.close());
    const proxyUrl = `http://127.0.0.1:${proxy.address.port}`;

    let appStderr = '';
    const appTmp = path.join(workDir, 'app-tmp');
    mkdirSync(appTmp);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'])
      delete env[name];
    Object.assign(env, {
      HTTPS_PROXY: proxyUrl,
      // applicationinsights 2.x reads only the lower-case name.
      https_proxy: proxyUrl,
      NODE_EXTRA_CA_CERTS: proxy.caCertPath,
      // The exporter persists failed batches under os.tmpdir(): keep them in our work dir.
      TMPDIR: appTmp,
      APPLICATIONINSIGHTS_CONNECTION_STRING: DEMO_CONNECTION_STRING,
    });
    if (options.noStatsbeat) env.APPLICATION_INSIGHTS_NO_STATSBEAT = 'true';
    const appChild = fork(sdkAppPath(), [], {
      env,
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    appChild.stderr?.on('data', (c: Buffer) => {
      appStderr = (appStderr + c.toString()).slice(-8192);
    });
    const app = new AppProcess(appChild);
    cleanups.push(() => app.stop());
    let readyTimer: NodeJS.Timeout | undefined;
    await Promise.race([app.ready, new Promise((resolve) => (readyTimer = setTimeout(resolve, 15000)))]);
    clearTimeout(readyTimer);

    let storageSeq = 0;
    const placeholders: Record<string, string> = {
      proxyHost: '127.0.0.1',
      proxyPort: String(proxy.address.port),
      proxyCa: proxy.caCertPath,
      fakeCa: fakeCa.certPath,
      proxyUrl,
      work: workDir,
      ingestionUrl: `https://${DEMO_INGESTION_HOST}/v2.1/track`,
      ikey: DEMO_IKEY,
    };

    const reused = new Map<string, CredentialSpec>();
    const resolveCredential = (spec: CredentialSpec): CredentialSpec => {
      if (spec.type !== 'minted') return spec;
      const known = spec.reuse ? reused.get(spec.reuse) : undefined;
      if (known) return known;
      const resolved = mint(spec);
      if (spec.reuse) reused.set(spec.reuse, resolved);
      return resolved;
    };
    const mint = (spec: Extract<CredentialSpec, { type: 'minted' }>): CredentialSpec => {
      const now = Math.floor(Date.now() / 1000);
      const claims = { ...spec.claims };
      if (spec.expiresInSeconds !== undefined) {
        claims.exp = now + spec.expiresInSeconds;
        if (spec.expiresInSeconds < 0) {
          claims.iat = claims.exp - 3600;
          claims.nbf = claims.exp - 3600;
        }
      }
      if (spec.notBeforeInSeconds !== undefined) {
        claims.nbf = now + spec.notBeforeInSeconds;
        claims.iat = now;
        claims.exp = claims.nbf + 3600;
      }
      return { type: 'token', token: fake.mintToken(claims) };
    };
    const resolveAction = (action: AppAction): AppAction => {
      switch (action.kind) {
        case 'exporter':
        case 'raw-track':
        case 'legacy':
          return { ...action, credential: resolveCredential(action.credential) };
        default:
          return action;
      }
    };

    /** Waits until the proxy has logged everything in flight: lines stop arriving (bounded). */
    const settle = async () => {
      const until = Date.now() + 3000;
      let seen = -1;
      while (Date.now() < until && seen !== lines.length) {
        seen = lines.length;
        await proxy.pipeline.drain(1000);
        await sleep(150);
      }
    };

    const run = async (step: Step): Promise<StepResult> => {
      const started = Date.now();
      const before = lines.length;
      if (step.fake?.settings) fake.updateSettings(step.fake.settings);
      fake.setScenario(step.fake?.scenario ?? 'ok');
      const timeoutMs = step.timeoutMs ?? 20000;
      let outcome: ActionOutcome;
      try {
        const action = resolveAction(step.action);
        if (action.kind === 'command') {
          // A valid token of the fake's known, authorized app: for programs that bring their own.
          placeholders.token = fake.mintToken();
          const env = Object.fromEntries(
            Object.entries(action.env ?? {}).map(([k, v]) => [k, substitute(v, placeholders)]),
          );
          outcome = await runCommand(
            action.argv.map((a) => substitute(a, placeholders)),
            env,
            action.timeoutMs ?? timeoutMs,
          );
        } else {
          const storageDirectory = path.join(workDir, 'storage', String(++storageSeq));
          mkdirSync(storageDirectory, { recursive: true });
          outcome = await app.call(
            { action, connectionString: DEMO_CONNECTION_STRING, storageDirectory },
            timeoutMs,
          );
        }
      } catch (err) {
        outcome = { ok: false, error: (err as Error).message };
      }
      await settle();
      fake.setScenario('ok');
      fake.updateSettings(baseline);
      const stepLines = lines.slice(before);
      const findingIds = [
        ...new Set(
          stepLines.flatMap((l) =>
            Array.isArray(l.findings) ? l.findings.map((f: { id: string }) => f.id) : [],
          ),
        ),
      ];
      return {
        id: step.id,
        title: step.title,
        outcome,
        durationMs: Date.now() - started,
        lines: stepLines,
        findingIds,
      };
    };

    return {
      fake,
      proxy,
      proxyCaPath: proxy.caCertPath,
      workDir,
      lines,
      fakeLog,
      appPid: appChild.pid,
      appStderr: () => appStderr,
      run,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
