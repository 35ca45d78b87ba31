/**
 * The "app" of the demo and the end-to-end tests: a child process that uses the REAL Azure SDKs
 * (devDependencies: present after `npm ci` in a clone, absent from the production image) and
 * does what the orchestrator asks over IPC, one action at a time.
 *
 * It is started with HTTPS_PROXY / https_proxy pointing at the proxy and NODE_EXTRA_CA_CERTS
 * holding the proxy's CA, exactly as a user would start their own Node app. NODE_EXTRA_CA_CERTS is
 * read once when Node starts, which is why this is a separate process.
 */
import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import https from 'node:https';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential } from '@azure/identity';
import { AzureMonitorTraceExporter } from '@azure/monitor-opentelemetry-exporter';
import { SpanKind } from '@opentelemetry/api';
import { SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { DEFAULT_APP, DEFAULT_TENANT_ID } from '../fake/defaults';
import type { ActionOutcome, AppAction, AppReply, AppRequest, CredentialSpec } from './steps';

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

/** A credential that hands out one given token: a cached, stale or wrongly scoped token. */
class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}
  async getToken(): Promise<AccessToken> {
    // The SDK would refresh a token it knows is expired; an app's own cache may not know.
    return { token: this.token, expiresOnTimestamp: Date.now() + 3600 * 1000 };
  }
}

function credentialOf(spec: CredentialSpec): TokenCredential | undefined {
  switch (spec.type) {
    case 'none':
      return undefined;
    case 'token':
      return new StaticTokenCredential(spec.token);
    case 'client-secret':
      // Default authority host (login.microsoftonline.com): the proxy resolves it to the fake Entra.
      return new ClientSecretCredential(
        spec.tenantId ?? DEFAULT_TENANT_ID,
        spec.clientId ?? DEFAULT_APP.clientId,
        spec.secret ?? DEFAULT_APP.secret,
      );
    case 'minted':
      throw new Error('a minted credential must be resolved by the orchestrator');
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function runExporter(
  credential: CredentialSpec,
  connectionString: string,
  storageDirectory: string,
): Promise<ActionOutcome> {
  const exporter = new AzureMonitorTraceExporter({
    connectionString,
    credential: credentialOf(credential),
    storageDirectory,
  });
  let result: ExportResult | undefined;
  // Wraps the exporter only to learn the result the SDK would otherwise log at most once.
  const observed: SpanExporter = {
    export: (spans, done) =>
      exporter.export(spans, (r) => {
        result = r;
        done(r);
      }),
    shutdown: () => exporter.shutdown(),
  };
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(observed)] });
  const span = provider.getTracer('appinsights-auth-proxy-demo').startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.path': '/checkout' },
  });
  span.end();
  try {
    await provider.forceFlush();
  } finally {
    await provider.shutdown();
  }
  const ok = result?.code === 0;
  // 401, 403, 429 and 5xx "succeed": the exporter saves the batch to disk for a later retry and
  // logs nothing. Counting the saved files shows that silent failure.
  const persistedFiles = countFiles(storageDirectory, '.ai.json');
  return {
    ok,
    error: ok ? undefined : messageOf(result?.error ?? 'export failed'),
    detail: { persistedFiles },
  };
}

function countFiles(dir: string, suffix: string, depth = 0): number {
  if (depth > 4) return 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  return entries.reduce(
    (n, e) =>
      n +
      (e.isDirectory()
        ? countFiles(path.join(dir, e.name), suffix, depth + 1)
        : e.name.endsWith(suffix)
          ? 1
          : 0),
    0,
  );
}

async function runIdentity(action: Extract<AppAction, { kind: 'identity-token' }>): Promise<ActionOutcome> {
  const credential = new ClientSecretCredential(
    action.tenantId ?? DEFAULT_TENANT_ID,
    action.clientId,
    action.secret,
  );
  try {
    const token = await credential.getToken('https://monitor.azure.com/.default');
    return { ok: true, detail: { expiresOnTimestamp: token.expiresOnTimestamp } };
  } catch (err) {
    return { ok: false, error: messageOf(err) };
  }
}

function ikeyOf(connectionString: string): string {
  return /InstrumentationKey=([^;]+)/i.exec(connectionString)?.[1] ?? '';
}

function ingestionOf(connectionString: string): string {
  return (/IngestionEndpoint=([^;]+)/i.exec(connectionString)?.[1] ?? '').replace(/\/+$/, '');
}

async function runRawTrack(
  action: Extract<AppAction, { kind: 'raw-track' }>,
  connectionString: string,
): Promise<ActionOutcome> {
  const proxy = process.env.HTTPS_PROXY ?? process.env.https_proxy;
  if (!proxy) return { ok: false, error: 'HTTPS_PROXY is not set' };
  const url = new URL(`${ingestionOf(connectionString)}${action.path}`);
  const body = gzipSync(
    JSON.stringify([
      {
        ver: 1,
        name: 'Microsoft.ApplicationInsights.Event',
        time: new Date().toISOString(),
        iKey: ikeyOf(connectionString),
        tags: { 'ai.cloud.role': 'demo-raw-client', 'ai.internal.sdkVersion': 'java:2.6.4' },
        data: { baseType: 'EventData', baseData: { ver: 2, name: 'checkout' } },
      },
    ]),
  );
  const credential = credentialOf(action.credential);
  const token = credential
    ? (await credential.getToken('https://monitor.azure.com/.default'))?.token
    : undefined;
  return new Promise((resolve) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        agent: new HttpsProxyAgent(proxy),
        headers: {
          'content-type': 'application/x-json-stream',
          'content-encoding': 'gzip',
          'content-length': body.length,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        timeout: 15000,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
          resolve({
            ok,
            error: ok ? undefined : `${res.statusCode} ${res.statusMessage ?? ''}`.trim(),
            detail: { status: res.statusCode, body: text.slice(0, 500) },
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve({ ok: false, error: err.message }));
    req.end(body);
  });
}

async function runLegacy(
  action: Extract<AppAction, { kind: 'legacy' }>,
  connectionString: string,
): Promise<ActionOutcome> {
  // Loaded on first use: requiring applicationinsights 2.x installs its instrumentation hooks.
  const appInsights = (await import('applicationinsights')).default;
  const client = new appInsights.TelemetryClient(connectionString);
  const credential = credentialOf(action.credential);
  if (credential) client.config.aadTokenCredential = credential;
  // No disk retry: a failure is reported to us and not re-sent by a later step.
  client.channel.setUseDiskRetryCaching(false);
  client.trackEvent({ name: 'checkout', properties: { step: 'legacy' } });
  client.trackTrace({ message: 'order placed' });
  const response = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('flush timed out'), 15000);
    client.flush({
      callback: (text: string) => {
        clearTimeout(timer);
        resolve(text);
      },
    });
  });
  let parsed: { itemsAccepted?: number; itemsReceived?: number } | undefined;
  try {
    parsed = JSON.parse(response) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const ok = parsed !== undefined && parsed.itemsAccepted === parsed.itemsReceived;
  return { ok, error: ok ? undefined : response.slice(0, 500), detail: { response: response.slice(0, 500) } };
}

async function perform(request: AppRequest): Promise<ActionOutcome> {
  const { action, connectionString, storageDirectory } = request;
  switch (action.kind) {
    case 'exporter':
      return runExporter(action.credential, connectionString, storageDirectory);
    case 'identity-token':
      return runIdentity(action);
    case 'raw-track':
      return runRawTrack(action, connectionString);
    case 'legacy':
      return runLegacy(action, connectionString);
    default:
      return { ok: false, error: `the SDK app does not do ${action.kind}` };
  }
}

function reply(message: AppReply): void {
  process.send?.(message);
}

if (require.main === module) {
  if (!process.send) {
    process.stderr.write('sdk-app runs as a child of the demo (node IPC); it is not a command\n');
    process.exit(2);
  }
  // A bounded life: if the orchestrator vanishes, so do we.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw: AppRequest) => {
    if (raw.action.kind === 'exit') {
      reply({ id: raw.id, outcome: { ok: true } });
      setImmediate(() => process.exit(0));
      return;
    }
    perform(raw).then(
      (outcome) => reply({ id: raw.id, outcome }),
      (err: unknown) => reply({ id: raw.id, outcome: { ok: false, error: messageOf(err) } }),
    );
  });
  reply({ id: 0, outcome: { ok: true, detail: { ready: true } } });
}
