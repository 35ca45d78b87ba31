import path from 'node:path';
import { DEFAULT_APP, DEFAULT_TENANT_ID } from '../fake/defaults';
import { DEMO_CONNECTION_STRING } from './stack';
import type { ActionOutcome, Step } from './steps';

/** The CLI itself (dist/cli/main.js next to dist/demo), for the `check` scenarios. */
const CLI = path.resolve(__dirname, '..', 'cli', 'main.js');

/** `appinsights-auth-proxy check` through the demo's proxy, with the app registration and this secret. */
function checkStep(id: string, title: string, explain: string, secret: string): Step {
  return {
    id,
    title,
    explain,
    action: {
      kind: 'command',
      argv: [
        process.execPath,
        CLI,
        'check',
        '--via',
        '{proxyUrl}',
        '--credential',
        'client-secret',
        '--tenant-id',
        DEFAULT_TENANT_ID,
        '--client-id',
        DEFAULT_APP.clientId,
      ],
      // The secret comes from the environment, never the command line.
      env: {
        APPLICATIONINSIGHTS_CONNECTION_STRING: DEMO_CONNECTION_STRING,
        AZURE_CLIENT_SECRET: secret,
        NODE_EXTRA_CA_CERTS: '{proxyCa}',
      },
      timeoutMs: 20000,
    },
  };
}

/** A principal the fake Entra issues tokens for, but which holds no role on the resource. */
const NOT_A_PUBLISHER = {
  oid: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  appid: '6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2f1e',
};
/** A client id the fake tenant does not know (a typo in AZURE_CLIENT_ID, say). */
const UNKNOWN_CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** The scenarios of `appinsights-auth-proxy demo`, in the order a newcomer meets them. */
export const DEMO_STEPS: Step[] = [
  {
    id: 'no-token',
    title: 'No token',
    explain:
      'The app uses @azure/monitor-opentelemetry-exporter without a credential; the resource has local auth disabled.',
    action: { kind: 'exporter', credential: { type: 'none' } },
  },
  {
    id: 'v2-track',
    title: 'The old /v2/track endpoint',
    explain:
      'An older SDK or agent posts to /v2/track, which cannot carry an Entra token (sent by a raw HTTPS client: the exporter only speaks /v2.1).',
    action: { kind: 'raw-track', path: '/v2/track', credential: { type: 'none' } },
  },
  {
    id: 'expired-token',
    title: 'Expired token',
    explain: 'The app hands the exporter a token that expired an hour ago (a stale cache).',
    action: { kind: 'exporter', credential: { type: 'minted', expiresInSeconds: -3600, reuse: 'stale' } },
  },
  {
    id: 'expired-token-again',
    title: 'The same expired token, again',
    explain:
      'The next batch goes out with the very same token: the app never refreshes it. Only the traffic as a whole shows that.',
    action: { kind: 'exporter', credential: { type: 'minted', expiresInSeconds: -3600, reuse: 'stale' } },
  },
  {
    id: 'wrong-audience',
    title: 'Token for the wrong audience',
    explain:
      'The app asks Entra for a token for https://management.azure.com instead of https://monitor.azure.com.',
    action: {
      kind: 'exporter',
      credential: { type: 'minted', claims: { aud: 'https://management.azure.com' } },
    },
  },
  {
    id: 'other-cloud',
    title: 'A token from another cloud',
    explain:
      'The token is for Azure Monitor in US Government (https://monitor.azure.us) while the connection string and the endpoint are public Azure.',
    action: {
      kind: 'exporter',
      credential: { type: 'minted', claims: { aud: 'https://monitor.azure.us' } },
    },
  },
  {
    id: 'missing-role',
    title: 'Missing role',
    explain: 'A valid token, but its identity was never given Monitoring Metrics Publisher on the resource.',
    action: { kind: 'exporter', credential: { type: 'minted', claims: NOT_A_PUBLISHER } },
  },
  {
    id: 'invalid-client-id',
    title: 'Invalid client id at the token endpoint',
    explain:
      'The app uses @azure/identity ClientSecretCredential with a client id the tenant does not know; no telemetry is ever sent.',
    action: {
      kind: 'exporter',
      credential: { type: 'client-secret', clientId: UNKNOWN_CLIENT_ID, secret: 'demo-secret-never-logged' },
    },
  },
  {
    id: 'success',
    title: 'Success',
    explain: `ClientSecretCredential for the app registration ${DEFAULT_APP.clientId}, which holds Monitoring Metrics Publisher.`,
    action: { kind: 'exporter', credential: { type: 'client-secret' } },
  },
  checkStep(
    'check-wrong-secret',
    'check, with a wrong secret',
    '`appinsights-auth-proxy check --via <the proxy>` gets a token with @azure/identity and sends one test record, now.',
    'demo-secret-never-logged',
  ),
  checkStep(
    'check-good',
    'check, with the right secret',
    'The same check with the right secret: a token, a 200 for the test record, exit code 0 (a CI step or an init container can use it).',
    DEFAULT_APP.secret,
  ),
];

/** One line on what the app itself noticed. */
export function describeOutcome(step: Step, outcome: ActionOutcome): string {
  const firstLine = (text: string) => {
    const line = text.split(/\r?\n/)[0] ?? '';
    return line.length > 160 ? `${line.slice(0, 157)}...` : line;
  };
  if (step.action.kind === 'exporter') {
    const persisted = Number(outcome.detail?.persistedFiles ?? 0);
    if (!outcome.ok) return `the exporter gave up: ${firstLine(outcome.error ?? 'unknown error')}`;
    if (persisted > 0) {
      return 'the exporter logged nothing: it saved the batch to disk for a later retry (the failure is silent)';
    }
    return 'the exporter reported success';
  }
  if (step.action.kind === 'command' && step.action.argv.includes('check')) {
    const code = outcome.detail?.code;
    return `check exited ${String(code)} (0 all good, 1 warnings, 2 usage, 3 blocked)`;
  }
  if (outcome.ok) return 'the request succeeded';
  return `the client got: ${firstLine(outcome.error ?? 'an error')}`;
}
