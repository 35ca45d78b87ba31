/**
 * `appinsights-auth-proxy check` as a user runs it (a real process, real @azure/identity, real TLS),
 * against the local fake of an Entra-only resource and its Entra tenant, inside a private network
 * namespace where the Azure names are this machine and the fake listens on 443.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { DEFAULT_APP, DEFAULT_TENANT_ID } from '../../src/fake/defaults';
import { DEMO_CONNECTION_STRING, DEMO_INGESTION_HOST } from '../../src/demo/stack';
import type { Step, StepResult } from '../../src/demo/steps';
import { requireNetns, runStepsInNetns, stepOf } from '../e2e/helpers';
import type { RunStepsResult } from '../../src/demo/run-steps';

const CLI = path.resolve(__dirname, '../../dist/cli/main.js');
const enabled = requireNetns();
const describeNetns = enabled ? describe : describe.skip;

const WRONG_SECRET = 'wrong-secret-h12-Zq8v';
const FILE_SECRET_MARK = 'never-on-a-command-line';
const UNKNOWN_CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const US_AUDIENCE_CS = `${DEMO_CONNECTION_STRING};AADAudience=https://monitor.azure.us/`;

function check(id: string, args: string[], env: Record<string, string> = {}, fake?: Step['fake']): Step {
  return {
    id,
    title: id,
    fake,
    action: {
      kind: 'command',
      argv: [process.execPath, CLI, 'check', '--json', ...args],
      env: {
        APPLICATIONINSIGHTS_CONNECTION_STRING: DEMO_CONNECTION_STRING,
        NODE_EXTRA_CA_CERTS: '{fakeCa}',
        AZURE_CLIENT_SECRET: DEFAULT_APP.secret,
        ...env,
      },
      timeoutMs: 40000,
    },
    timeoutMs: 45000,
  };
}

const appArgs = (clientId: string = DEFAULT_APP.clientId) => [
  '--credential',
  'client-secret',
  '--tenant-id',
  DEFAULT_TENANT_ID,
  '--client-id',
  clientId,
];

/** The yaml blocks of the README's `check` section: the CI step and the init container. */
function readmeExamples(): { ciArgs: string[]; ciEnv: string[]; initArgs: string[] } {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => yaml.load(m[1]!) as any);
  const ci = blocks.find((b) => Array.isArray(b) && String(b[0]?.run).includes(' check '))[0];
  const words = String(ci.run).split(/\s+/);
  const image = words.findIndex((w) => w.startsWith('appinsights-auth-proxy:'));
  const ciEnv = words.flatMap((w, i) => (words[i - 1] === '-e' ? [w] : []));
  const init = blocks.find((b) => b?.spec?.initContainers).spec.initContainers[0];
  return { ciArgs: words.slice(image + 1), ciEnv, initArgs: init.args as string[] };
}

const README = readmeExamples();

/** A federated token file (AKS writes one) for WorkloadIdentityCredential; the fake does not verify it. */
const FEDERATED = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpteS1hcHAifQ.';

const MANAGED_IDENTITY_ENV = {
  // App Service's managed identity endpoint: the fake serves it on the same names.
  IDENTITY_ENDPOINT: `https://${DEMO_INGESTION_HOST}/msi/token`,
  IDENTITY_HEADER: 'fake-identity-header',
};

const STEPS: Step[] = [
  check('good', [...appArgs(), '--probe-local-auth']),
  check('wrong-secret', appArgs(), { AZURE_CLIENT_SECRET: WRONG_SECRET }),
  check('unknown-app', appArgs(UNKNOWN_CLIENT)),
  check('role-missing', appArgs(), {}, { settings: { publishers: [] } }),
  check('no-token', ['--credential', 'none']),
  check('wrong-cloud', appArgs(), { APPLICATIONINSIGHTS_CONNECTION_STRING: US_AUDIENCE_CS }),
  check('via-proxy', [...appArgs(), '--via', '{proxyUrl}'], { NODE_EXTRA_CA_CERTS: '{proxyCa}' }),
  check('secret-on-command-line', [...appArgs(), '--client-secret', WRONG_SECRET]),
  // --credential default: DefaultAzureCredential finds the app registration in the environment.
  check('default-credential', [], {
    AZURE_TENANT_ID: DEFAULT_TENANT_ID,
    AZURE_CLIENT_ID: DEFAULT_APP.clientId,
  }),
  check(
    'authority-host-via',
    [...appArgs(), '--authority-host', 'https://login.microsoftonline.us', '--via', '{proxyUrl}'],
    {
      NODE_EXTRA_CA_CERTS: '{proxyCa}',
    },
  ),
  check('throttled', appArgs(), {}, { scenario: { name: 'throttle', retryAfterSeconds: 1, times: 1 } }),
  check('partial', appArgs(), {}, { scenario: 'sample' }),
  check('server-error', appArgs(), {}, { scenario: { name: 'error503', times: 1 } }),
  check('managed-identity', ['--credential', 'managed-identity'], MANAGED_IDENTITY_ENV),
  check(
    'managed-identity-unknown',
    ['--credential', 'managed-identity', '--client-id', UNKNOWN_CLIENT],
    MANAGED_IDENTITY_ENV,
  ),
  {
    ...check('readme-ci-step', []),
    action: {
      kind: 'command',
      argv: [process.execPath, CLI, ...README.ciArgs],
      env: {
        ...Object.fromEntries(README.ciEnv.map((name) => [name, ''])),
        APPLICATIONINSIGHTS_CONNECTION_STRING: DEMO_CONNECTION_STRING,
        AZURE_TENANT_ID: DEFAULT_TENANT_ID,
        AZURE_CLIENT_ID: DEFAULT_APP.clientId,
        AZURE_CLIENT_SECRET: DEFAULT_APP.secret,
        NODE_EXTRA_CA_CERTS: '{fakeCa}',
      },
      timeoutMs: 40000,
    },
  },
  {
    ...check('readme-init-container', []),
    action: {
      kind: 'command',
      argv: [
        'sh',
        '-c',
        'printf %s "$T" > "$AZURE_FEDERATED_TOKEN_FILE" && shift && exec "$@"',
        'sh',
        'x',
        process.execPath,
        CLI,
        ...README.initArgs,
      ],
      env: {
        T: FEDERATED,
        APPLICATIONINSIGHTS_CONNECTION_STRING: DEMO_CONNECTION_STRING,
        AZURE_TENANT_ID: DEFAULT_TENANT_ID,
        AZURE_CLIENT_ID: DEFAULT_APP.clientId,
        AZURE_FEDERATED_TOKEN_FILE: '{work}/federated-token',
        AZURE_CLIENT_SECRET: '',
        NODE_EXTRA_CA_CERTS: '{fakeCa}',
      },
      timeoutMs: 40000,
    },
  },
  // The default secret variable names a file with the wrong secret: the file wins, and is never shown.
  {
    ...check('secret-file', [...appArgs(), '--client-secret-file', '{work}/secret.txt']),
    action: {
      kind: 'command',
      argv: [
        'sh',
        '-c',
        `printf '%s' "$S" > "$1/secret.txt" && exec "$2" "$3" check --json --credential client-secret --tenant-id ${DEFAULT_TENANT_ID} --client-id ${DEFAULT_APP.clientId} --client-secret-file "$1/secret.txt"`,
        'sh',
        '{work}',
        process.execPath,
        CLI,
      ],
      env: {
        S: `${WRONG_SECRET}-${FILE_SECRET_MARK}`,
        APPLICATIONINSIGHTS_CONNECTION_STRING: DEMO_CONNECTION_STRING,
        NODE_EXTRA_CA_CERTS: '{fakeCa}',
      },
      timeoutMs: 40000,
    },
  },
];

interface CheckRun {
  code: number;
  lines: Record<string, any>[];
  stdout: string;
  stderr: string;
}

function runOf(step: StepResult): CheckRun {
  const detail = step.outcome.detail as { code: number; stdout: string; stderr: string };
  const lines = detail.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
  return { code: detail.code, lines, stdout: detail.stdout, stderr: detail.stderr };
}

function stepLine(run: CheckRun, name: string): Record<string, any> {
  const line = run.lines.find((l) => l.step === name);
  if (!line) throw new Error(`no ${name} step in: ${run.stdout.slice(-2000)}`);
  return line;
}
function verdictLine(run: CheckRun): Record<string, any> {
  const line = run.lines.find((l) => l.verdict);
  if (!line) throw new Error(`no verdict in: ${run.stdout.slice(-2000)}`);
  return line;
}
const findingIds = (run: CheckRun) =>
  run.lines.flatMap((l) => (l.findings ?? []).map((f: { id: string }) => f.id));

describeNetns('appinsights-auth-proxy check against the local fake (private network namespace)', () => {
  let result: RunStepsResult;
  beforeAll(async () => {
    result = await runStepsInNetns(STEPS, { noStatsbeat: true, fakePort: 443, timeoutMs: 240000 });
  }, 250000);

  it('good client secret: every step passes, the record gets 200, exit 0; the probe says local auth is disabled', () => {
    const run = runOf(stepOf(result, 'good'));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.lines.map((l) => l.step ?? 'verdict')).toEqual([
      'parse',
      'dns',
      'tcp',
      'tls',
      'token',
      'track',
      'local-auth',
      'verdict',
    ]);
    expect(stepLine(run, 'parse')).toMatchObject({
      status: 'ok',
      details: {
        cloud: 'public',
        audience: 'https://monitor.azure.com',
        scope: 'https://monitor.azure.com/.default',
      },
    });
    expect(stepLine(run, 'dns').details.addresses).toEqual(['127.0.0.1']);
    expect(stepLine(run, 'tls').details.issuedBy).toBe('this-tool');
    expect(stepLine(run, 'token')).toMatchObject({
      status: 'ok',
      details: { claims: { tid: DEFAULT_TENANT_ID, appid: DEFAULT_APP.clientId, oid: DEFAULT_APP.objectId } },
    });
    expect(stepLine(run, 'track')).toMatchObject({
      status: 'ok',
      details: { status: 200, itemsAccepted: 1 },
    });
    expect(stepLine(run, 'local-auth')).toMatchObject({
      status: 'info',
      details: { status: 400, localAuth: 'disabled' },
    });
    expect(verdictLine(run)).toMatchObject({ verdict: 'ok', exitCode: 0 });
    // The claims are shown, never the token.
    expect(run.stdout).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });

  it.each([
    ['wrong-secret', 'token', 'ENTRA_INVALID_CLIENT_SECRET'],
    ['unknown-app', 'token', 'ENTRA_APP_NOT_FOUND'],
    ['role-missing', 'track', 'ROLE_MISSING'],
    ['no-token', 'track', 'TOKEN_MISSING'],
  ])('%s: exit 3, blocked at %s with %s', (id, blockedAt, finding) => {
    const run = runOf(stepOf(result, id));
    expect(run.code).toBe(3);
    expect(stepLine(run, blockedAt)).toMatchObject({ status: 'failed' });
    expect(stepLine(run, blockedAt).findings.map((f: { id: string }) => f.id)).toContain(finding);
    expect(verdictLine(run)).toMatchObject({ verdict: 'blocked', exitCode: 3 });
    expect(verdictLine(run).summary).toContain(finding);
  });

  it('a wrong-cloud audience (AADAudience of US Government on a public host): the audience finding, exit 3', () => {
    const run = runOf(stepOf(result, 'wrong-cloud'));
    expect(run.code).toBe(3);
    expect(stepLine(run, 'parse')).toMatchObject({ status: 'failed' });
    expect(stepLine(run, 'parse').findings[0]).toMatchObject({
      id: 'TOKEN_WRONG_AUDIENCE',
      evidence: { audienceCloud: 'usgov', hostCloud: 'public' },
    });
    expect(stepLine(run, 'token').details.scope).toBe('https://monitor.azure.us/.default');
    expect(findingIds(run)[0]).toBe('TOKEN_WRONG_AUDIENCE');
  });

  it('--via the running proxy: exit 0, and the proxy logged the same token request and the same record', () => {
    const step = stepOf(result, 'via-proxy');
    const run = runOf(step);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(stepLine(run, 'dns').status).toBe('skipped');
    expect(stepLine(run, 'tcp').summary).toContain('opened by the proxy');
    const requestId = stepLine(run, 'track').details.requestId as string;
    const track = step.lines.find(
      (l) => l.exchange?.request?.headers?.['x-ms-client-request-id'] === requestId,
    );
    expect(track).toBeDefined();
    expect(track!.exchange.request.host).toBe(DEMO_INGESTION_HOST);
    expect(track!.exchange.request.path).toBe('/v2.1/track');
    expect(track!.exchange.response.status).toBe(200);
    expect(track!.exchange.request.authorization.jwt.claims.appid).toBe(DEFAULT_APP.clientId);
    const token = step.lines.find((l) =>
      /\/oauth2\/v2\.0\/token(\?|$)/.test(l.exchange?.request?.path ?? ''),
    );
    expect(token?.exchange.response.status).toBe(200);
  });

  it('--credential default takes the app registration from AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET', () => {
    const run = runOf(stepOf(result, 'default-credential'));
    expect(run.code).toBe(0);
    expect(stepLine(run, 'token').details).toMatchObject({
      credential: 'default',
      claims: { appid: DEFAULT_APP.clientId },
    });
  });

  it('--authority-host sends the token request to that Entra host (seen in the proxy log)', () => {
    const step = stepOf(result, 'authority-host-via');
    expect(runOf(step).code).toBe(0);
    const hosts = step.lines
      .filter((l) => /oauth2\/v2\.0\/token/.test(l.exchange?.request?.path ?? ''))
      .map((l) => l.exchange.request.host);
    expect(hosts).toEqual(['login.microsoftonline.us']);
  });

  it('refuses a secret on the command line (exit 2) without echoing it; reads one from a file', () => {
    const refused = runOf(stepOf(result, 'secret-on-command-line'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--client-secret is not accepted on the command line');
    const fromFile = runOf(stepOf(result, 'secret-file'));
    expect(fromFile.code).toBe(3);
    expect(findingIds(fromFile)).toContain('ENTRA_INVALID_CLIENT_SECRET');
  });

  it('a throttled test record (429) is a warning, not a block: exit 1', () => {
    const run = runOf(stepOf(result, 'throttled'));
    expect(run.code).toBe(1);
    expect(stepLine(run, 'track')).toMatchObject({ status: 'warning', details: { status: 429 } });
    expect(stepLine(run, 'track').findings.map((f: { id: string }) => f.id)).toContain('THROTTLED');
    expect(verdictLine(run)).toMatchObject({ verdict: 'warnings', exitCode: 1 });
  });

  it.each([
    ['partial', 206, 'PARTIAL_ACCEPTANCE'],
    ['server-error', 503, 'INGESTION_SERVER_ERROR'],
  ])('%s: the answer %d goes through the same diagnosis (%s), a warning: exit 1', (id, status, finding) => {
    const run = runOf(stepOf(result, id));
    expect(run.code).toBe(1);
    expect(stepLine(run, 'track')).toMatchObject({ status: 'warning', details: { status } });
    expect(stepLine(run, 'track').findings.map((f: { id: string }) => f.id)).toContain(finding);
  });

  it('managed identity: a token from the (App Service) identity endpoint and a 200; an unknown client id is MANAGED_IDENTITY_NOT_FOUND', () => {
    const ok = runOf(stepOf(result, 'managed-identity'));
    expect(ok.code).toBe(0);
    expect(stepLine(ok, 'token').details.claims.appid).toBe('1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f');
    expect(stepLine(ok, 'track').details.status).toBe(200);
    const unknown = runOf(stepOf(result, 'managed-identity-unknown'));
    expect(unknown.code).toBe(3);
    expect(stepLine(unknown, 'token').findings.map((f: { id: string }) => f.id)).toEqual([
      'MANAGED_IDENTITY_NOT_FOUND',
    ]);
  });

  it("the README's CI step and Kubernetes init container (workload identity) work as written: exit 0", () => {
    expect(README.ciArgs.slice(0, 3)).toEqual(['check', '--credential', 'client-secret']);
    const ci = runOf(stepOf(result, 'readme-ci-step'));
    expect({ code: ci.code, verdict: verdictLine(ci).verdict }).toEqual({ code: 0, verdict: 'ok' });
    const init = runOf(stepOf(result, 'readme-init-container'));
    expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: '' });
    expect(stepLine(init, 'token').details.credential).toBe('workload-identity');
    expect(stepLine(init, 'track').details.status).toBe(200);
  });

  it('no secret appears in any output: check, proxy log, fake log', () => {
    const everything = [
      ...result.results.flatMap((r) => {
        const d = r.outcome.detail as { stdout?: string; stderr?: string } | undefined;
        return [d?.stdout ?? '', d?.stderr ?? '', r.outcome.error ?? ''];
      }),
      JSON.stringify(result.proxyLines),
      result.fakeLog.join('\n'),
    ].join('\n');
    expect(everything.length).toBeGreaterThan(10000);
    for (const secret of [DEFAULT_APP.secret, WRONG_SECRET, FILE_SECRET_MARK])
      expect(everything).not.toContain(secret);
  });
});
