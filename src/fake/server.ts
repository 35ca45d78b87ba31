import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type { CertificateAuthority } from '../certs/ca';
import { handleControl, type ControlTarget } from './control';
import { MAX_BODY_BYTES } from './defaults';
import { defaultEntraSettings, type EntraSettings } from './entra-settings';
import type { FakeRequest, FakeResponse } from './exchange-types';
import { handleAppIdLookup } from './fake-app-id';
import { handleEntra } from './fake-entra';
import { defaultIdentitySettings, handleIdentity, type IdentitySettings } from './fake-identity';
import { handleTrack } from './fake-ingestion';
import { handleLiveMetrics } from './fake-live-metrics';
import { BodyTooLargeError, fakeRequestOf, readBody } from './incoming';
import { recordOf, type ReceivedRequest } from './request-record';
import { jsonResponse } from './responses';
import { routeOf } from './routing';
import { parseScenario, ScenarioState, type Scenario, type ScenarioName } from './scenarios';
import { defaultIngestionSettings, type IngestionSettings } from './settings';
import { httpsOptionsFor, type FakeTlsOptions } from './tls-setup';
import { mintToken, TokenSigningKey, type TokenClaims } from './token-minting';

export interface FakeServicesOptions extends FakeTlsOptions {
  /** Listening address (default 127.0.0.1: the fake is for this machine). */
  host?: string;
  /** HTTPS port; 0 (default) picks a free one. */
  port?: number;
  /** Also serve plain HTTP (for IMDS at http://169.254.169.254) on this port; 0 picks one. */
  imdsPort?: number;
  imdsHost?: string;
  ingestion?: Partial<IngestionSettings>;
  entra?: Partial<EntraSettings>;
  identity?: Partial<IdentitySettings>;
  scenario?: Scenario | ScenarioName;
  /** More host names answered by the fake Entra (e.g. a custom authority host). */
  entraHosts?: string[];
  /** Where the one-line-per-request log goes: a logger, or a stream (default stdout). */
  logger?: Logger;
  logDestination?: NodeJS.WritableStream;
  /** How many requests `received` keeps (oldest dropped first). */
  maxReceived?: number;
  /** Serve `/_fake/…` control endpoints (default true). */
  control?: boolean;
}

export interface FakeServices {
  host: string;
  port: number;
  imdsPort?: number;
  /** The CA whose leaves the fake serves (absent with a given certificate). */
  ca?: CertificateAuthority;
  /** Live settings: change them with `updateSettings`. */
  readonly settings: IngestionSettings;
  readonly entraSettings: EntraSettings;
  readonly identitySettings: IdentitySettings;
  readonly scenario: Scenario;
  setScenario(scenario: Scenario | ScenarioName): void;
  updateSettings(patch: Partial<IngestionSettings>): void;
  /** What the fake received, oldest first (redacted). */
  readonly received: readonly ReceivedRequest[];
  clearReceived(): void;
  /** Resolves with the first received request (already received or coming) that matches. */
  waitForRequest(match: (r: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  /** A token signed with the fake Entra's key (valid also with `signatures: 'ours'`). */
  mintToken(claims?: TokenClaims): string;
  readonly signingKey: TokenSigningKey;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Starts the fake ingestion service, live metrics, Entra ID and managed identity endpoints. */
export async function startFakeServices(options: FakeServicesOptions = {}): Promise<FakeServices> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? pino({ name: 'fake-ingestion' }, options.logDestination ?? process.stdout);
  const settings: IngestionSettings = { ...defaultIngestionSettings(), ...options.ingestion };
  const entraSettings: EntraSettings = { ...defaultEntraSettings(), ...options.entra };
  const identitySettings: IdentitySettings = { ...defaultIdentitySettings(), ...options.identity };
  const signingKey = TokenSigningKey.generate();
  const scenarios = new ScenarioState();
  if (options.scenario) scenarios.set(parseScenario(options.scenario));
  const received: ReceivedRequest[] = [];
  const maxReceived = options.maxReceived ?? 1000;
  const events = new EventEmitter();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const control: ControlTarget = {
    scenario: () => scenarios.scenario,
    setScenario: (s) => scenarios.set(s),
    received: () => received,
    clearReceived: () => void received.splice(0),
    settings: () => settings,
    updateSettings: (patch) => void Object.assign(settings, patch),
  };

  function answer(req: FakeRequest): FakeResponse {
    const route = routeOf(req.host, req.path, options.entraHosts);
    switch (route) {
      case 'control':
        if (options.control === false) break;
        return handleControl(req, control);
      case 'entra':
        return handleEntra(req, { settings: entraSettings, signingKey });
      case 'identity':
        return handleIdentity(req, identitySettings, signingKey);
      case 'track':
        return handleTrack(req, { settings, scenario: scenarios.take(), signingKey });
      case 'live-metrics':
        return handleLiveMetrics(req, settings, signingKey);
      case 'app-id':
        return handleAppIdLookup(req, settings);
      default:
        break;
    }
    return jsonResponse(
      'none',
      404,
      { error: `the fake does not serve ${req.method} ${req.path}` },
      'no fake serves this path',
    );
  }

  function remember(req: FakeRequest, res: FakeResponse): void {
    seq += 1;
    const record = recordOf(seq, req, res);
    if (res.service !== 'control') {
      received.push(record);
      if (received.length > maxReceived) received.splice(0, received.length - maxReceived);
    }
    const { time: _time, ...fields } = record;
    logger.info(
      { event: 'fake.request', ...fields },
      `${record.method} ${record.host}${record.path} -> ${record.status} ${record.reason}`,
    );
    events.emit('request', record);
  }

  function send(res: ServerResponse, response: FakeResponse): void {
    if (res.destroyed) return;
    res.writeHead(response.status, response.reason, response.headers);
    // write-then-end gives `Transfer-Encoding: chunked`, as the real service answers.
    if (response.body.length > 0) res.write(response.body);
    res.end();
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<void> {
    let fake: FakeRequest | undefined;
    let response: FakeResponse;
    try {
      fake = fakeRequestOf(req, await readBody(req, MAX_BODY_BYTES), secure);
      response = answer(fake);
    } catch (err) {
      const tooLarge = err instanceof BodyTooLargeError;
      fake ??= fakeRequestOf(req, Buffer.alloc(0), secure);
      response = jsonResponse(
        'none',
        tooLarge ? 413 : 500,
        { error: (err as Error).message },
        tooLarge ? 'body too large' : `fake failed: ${(err as Error).message}`,
      );
    }
    remember(fake, response);
    if (!response.delayMs) return send(res, response);
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, response);
    }, response.delayMs);
    timers.add(timer);
  }

  const handler = (secure: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    onRequest(req, res, secure).catch((err: unknown) => {
      logger.error({ event: 'fake.error', err }, 'fake could not answer');
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  const tls = await httpsOptionsFor(options, host);
  const httpsServer = https.createServer(tls.server, handler(true));
  httpsServer.on('tlsClientError', (err) =>
    logger.warn({ event: 'fake.tls-error', message: err.message }, 'TLS handshake failed'),
  );
  const servers: http.Server[] = [httpsServer];
  try {
    const port = await listen(httpsServer, options.port ?? 0, host);
    let imdsPort: number | undefined;
    if (options.imdsPort !== undefined) {
      const imdsServer = http.createServer(handler(false));
      servers.push(imdsServer);
      imdsPort = await listen(imdsServer, options.imdsPort, options.imdsHost ?? host);
    }
    let closed: Promise<void> | undefined;
    return {
      host,
      port,
      imdsPort,
      ca: tls.ca,
      settings,
      entraSettings,
      identitySettings,
      signingKey,
      get scenario() {
        return scenarios.scenario;
      },
      setScenario: (s) => scenarios.set(parseScenario(s)),
      updateSettings: control.updateSettings,
      received,
      clearReceived: control.clearReceived,
      waitForRequest: (match, timeoutMs = 10_000) => waitFor(events, received, match, timeoutMs),
      mintToken: (claims) => mintToken(claims, signingKey),
      close: () => {
        closed ??= (async () => {
          for (const timer of timers) clearTimeout(timer);
          timers.clear();
          await Promise.all(servers.map(closeServer));
        })();
        return closed;
      },
    };
  } catch (err) {
    await Promise.all(servers.filter((s) => s.listening).map(closeServer));
    throw err;
  }
}

function waitFor(
  events: EventEmitter,
  received: readonly ReceivedRequest[],
  match: (r: ReceivedRequest) => boolean,
  timeoutMs: number,
): Promise<ReceivedRequest> {
  const already = received.find(match);
  if (already) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const onRequest = (record: ReceivedRequest) => {
      if (!match(record)) return;
      clearTimeout(timer);
      events.off('request', onRequest);
      resolve(record);
    };
    const timer = setTimeout(() => {
      events.off('request', onRequest);
      reject(new Error(`no matching request within ${timeoutMs} ms`));
    }, timeoutMs);
    events.on('request', onRequest);
  });
}
