import path from 'node:path';
import pino from 'pino';
import { setupInstructions } from '../certs/setup-instructions';
import { TRUSTSTORE_FILE } from '../certs/truststore';
import { DEFAULT_APP, DEFAULT_TENANT_ID, startFakeServices, type FakeServices } from '../fake';
import { shellQuote } from '../model/shell-word';

/**
 * `start --rehearse`: the local fake of an Entra-only Application Insights resource (and its Entra
 * ID tenant) runs next to the proxy, already wired: every intercepted name goes to the fake, whose
 * certificate the proxy trusts through --upstream-ca. Nothing leaves the machine.
 */

/** The connection string the rehearsal tells the app to use: a public-cloud-shaped resource. */
export const REHEARSAL_CONNECTION_STRING =
  'InstrumentationKey=00000000-0000-4000-8000-000000000001;IngestionEndpoint=https://westus-0.in.applicationinsights.azure.com/;LiveEndpoint=https://westus.livediagnostics.monitor.azure.com/';

/** The fake's CA directory, inside the proxy's CA directory (its key stays there). */
export const REHEARSAL_FAKE_CA_SUBDIR = 'rehearsal-fake-ca';

export interface RehearsalFake {
  fake: FakeServices;
  /** For runProxy: send every intercepted name to the fake ... */
  resolve: string[];
  /** ... and trust the fake's CA upstream. */
  upstreamCa: string[];
  close(): Promise<void>;
}

export async function startRehearsalFake(caDir: string): Promise<RehearsalFake> {
  const fake = await startFakeServices({
    host: '127.0.0.1',
    port: 0,
    caDir: path.join(path.resolve(caDir), REHEARSAL_FAKE_CA_SUBDIR),
    logger: pino({ level: 'silent' }),
    ingestion: { auth: 'entra-only' },
  });
  return {
    fake,
    resolve: [`*:443=127.0.0.1:${fake.port}`],
    upstreamCa: [fake.ca!.certPath],
    close: () => fake.close(),
  };
}

export interface RehearsalTextOptions {
  proxyHost: string;
  proxyPort: number;
  caDir: string;
  caCertPath: string;
  /** How to run this CLI from where the text is printed (see self-command.ts). */
  selfCommand: string;
  fakePort: number;
}

const q = shellQuote;

/** What the app needs, printed once the proxy and the fake are up: shell lines, run as printed. */
export function rehearsalInstructions(o: RehearsalTextOptions): string {
  const caDir = path.resolve(o.caDir);
  const java = setupInstructions('java', {
    caDir,
    caCertPath: o.caCertPath,
    truststorePath: path.join(caDir, TRUSTSTORE_FILE),
    truststorePassword: 'changeit',
    proxyHost: o.proxyHost,
    proxyPort: o.proxyPort,
    selfCommand: o.selfCommand,
  });
  return [
    `# Rehearsal: the proxy on ${o.proxyHost}:${o.proxyPort} sends every Azure Monitor and Entra ID name to a`,
    `# local fake (127.0.0.1:${o.fakePort}) of an Entra-only Application Insights resource. Nothing leaves this machine.`,
    '# In another shell, from this directory, run these lines, then start your app from that shell:',
    '#',
    `export APPLICATIONINSIGHTS_CONNECTION_STRING=${q(REHEARSAL_CONNECTION_STRING)}`,
    ...java.trimEnd().split('\n'),
    '#',
    '# Node.js instead of Java (or python, dotnet in place of node):',
    `#   ${o.selfCommand} ca setup node --ca-dir ${q(caDir)} --proxy-host ${o.proxyHost} --proxy-port ${o.proxyPort}`,
    '#',
    '# Telemetry without a token gets 401 (local auth is disabled); the proxy explains it.',
    '# To send a token, give the SDK or agent the fake Entra app (a client secret credential):',
    `#   tenant id ${DEFAULT_TENANT_ID}`,
    `#   client id ${DEFAULT_APP.clientId}`,
    `#   client secret ${DEFAULT_APP.secret}`,
    '#   (Java agent: applicationinsights.json "authentication": {"enabled": true, "type": "CLIENTSECRET",',
    '#    "tenantId", "clientId", "clientSecret"}; azure-identity: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)',
    '',
  ].join('\n');
}
