import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { logFileSource } from '../../src/inspector/file-inspector';
import { CLI } from '../helpers/cli-process';
import { makeJwt } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';

/**
 * The readers of a log (`report`, `pretty`, `har`, `inspect`) meet logs this proxy did not write:
 * an older version's, another tool's, a hand-edited one, a pipe from `kubectl logs`. Whatever is in
 * them, no secret comes out, one odd line never costs the others, and no input is destroyed.
 */

const JWT = makeJwt({ aud: 'https://monitor.azure.com', oid: 'o', exp: 4102444800 });
const SECRET = 'client_secret=S3cr3tForeignValue42';
const IKEY = '3f2a1b4c-5d6e-4f70-8192-a3b4c5d6e7f8';
const NEEDLES = [
  JWT,
  JWT.split('.')[2]!,
  'S3cr3tForeignValue42',
  IKEY,
  IKEY.slice(9, 23),
  'hunter2pw',
  'SASSIG0123',
];

function run(args: string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function leaks(text: string): string[] {
  return NEEDLES.filter((n) => text.includes(n));
}

const deep = (levels: number, leaf: unknown) => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { x: v };
  return v;
};

/** One line per odd place a secret can sit in a log someone else wrote. */
function foreignLog(): string {
  const exchange = (extra: object = {}) => ({
    id: 'x',
    startedAt: '2026-01-01T00:00:00.000Z',
    request: {
      method: 'POST',
      url: 'https://u:hunter2pw@westus-0.in.applicationinsights.azure.com/v2.1/track?sig=SASSIG0123',
      host: 'westus-0.in.applicationinsights.azure.com',
      path: '/v2.1/track?sig=SASSIG0123',
      headers: { authorization: `Bearer ${JWT}`, 'x-api-key': SECRET },
      body: { size: 0, captured: 0, truncated: false },
    },
    response: { status: 400, reason: 'Bad', headers: {}, body: { size: 0, captured: 0, truncated: false } },
    timings: { start: 0, total: 1 },
    ...extra,
  });
  const lines = [
    // An iKey in full under the plural name our own analysis uses.
    {
      time: '2026-01-01T00:00:00Z',
      exchange: exchange(),
      analysis: { kind: 'track-v2.1', envelopes: { count: 1, byType: {}, iKeys: [IKEY] } },
      findings: [{ id: 'IKEY_INVALID', severity: 'error', title: 't', evidence: { iKeys: [IKEY] } }],
    },
    // Secrets as keys (a host and a status that are tokens), and nested deeper than any record.
    {
      time: '2026-01-01T00:00:01Z',
      exchange: { request: { method: 'GET', host: JWT, path: '/' }, response: { status: JWT } },
      findings: [{ id: 'X', severity: 'warning', title: 't', evidence: deep(70, SECRET) }],
    },
    // A finding across exchanges (it goes to the HAR's log-level _findings).
    {
      traffic: { state: 'fired' },
      findings: [
        { id: 'RETRY_STORM', severity: 'warning', title: 't', evidence: { token: JWT, note: SECRET } },
      ],
    },
  ];
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

describe('logs this proxy did not write', () => {
  const tmp = tempDir('aiproxy-foreign-');
  const log = path.join(tmp.dir, 'foreign.log');
  beforeAll(() => writeFileSync(log, foreignLog()));
  afterAll(() => tmp.cleanup());

  it('no secret comes out of report (every format), pretty, har or the inspect page', async () => {
    const outputs: Record<string, string> = {};
    for (const format of ['text', 'markdown', 'json']) {
      const r = run(['report', log, '--format', format]);
      expect(r.code).toBe(0);
      outputs[`report ${format}`] = r.out + r.err;
    }
    const pretty = run(['pretty', '--color', 'false'], readFileSync(log, 'utf8'));
    expect(pretty.code).toBe(0);
    outputs.pretty = pretty.out + pretty.err;
    const har = path.join(tmp.dir, 'foreign.har');
    const converted = run(['har', log, '--out', har]);
    expect(converted.code).toBe(0);
    outputs.har = readFileSync(har, 'utf8');
    expect(JSON.parse(outputs.har).log._findings).toHaveLength(1);
    const { source } = await logFileSource(log);
    outputs.page = JSON.stringify({ all: source.history.all(), report: source.report() });
    for (const [name, text] of Object.entries(outputs))
      expect({ name, leaks: leaks(text) }).toEqual({ name, leaks: [] });
    // The masked key still says which key it was.
    expect(outputs['report text']).toContain('3f2a1b4c-****-****-****-********e7f8');
  });

  it('an unfinished HAR to repair: its creator is masked like its entries', () => {
    const unfinished = path.join(tmp.dir, 'unfinished.har');
    writeFileSync(
      unfinished,
      `{"log":{"version":"1.2","creator":${JSON.stringify({ name: JWT, version: SECRET })},"entries":[\n`,
    );
    const out = path.join(tmp.dir, 'repaired.har');
    expect(run(['har', unfinished, '--out', out]).code).toBe(0);
    expect(leaks(readFileSync(out, 'utf8'))).toEqual([]);
  });

  it('an exchange line no HAR entry can be made of is counted; the lines after it are still converted', () => {
    const good = {
      exchange: {
        request: { method: 'GET', host: 'h', url: 'https://h/', body: { size: 0 } },
        timings: { start: 0 },
      },
    };
    const lines = [
      { exchange: { request: { method: 'GET', url: 'https://h/' } } }, // no request line (no host)
      { exchange: { ...good.exchange, response: 'oops' } },
      { exchange: { ...good.exchange, upstream: { address: 5 } } },
      good,
    ];
    const input = path.join(tmp.dir, 'odd.log');
    writeFileSync(input, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const out = path.join(tmp.dir, 'odd.har');
    const r = run(['har', input, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`har: 1 exchanges written to ${out}; 3 lines could not be parsed\n`);
    const har = JSON.parse(readFileSync(out, 'utf8'));
    expect(har.log.entries).toHaveLength(1);
    expect(har.log.comment).toBe('log lines that could not be parsed: 3 (line 1, 2, 3)');
  });

  it('an old line without body or timings is filled in and converted, as the other readers do', () => {
    const input = path.join(tmp.dir, 'old.log');
    writeFileSync(
      input,
      `${JSON.stringify({ exchange: { request: { method: 'GET', host: 'h', url: 'https://h/' } } })}\n`,
    );
    const out = path.join(tmp.dir, 'old.har');
    const r = run(['har', input, '--out', out]);
    expect(r.err).toBe(`har: 1 exchanges written to ${out}\n`);
    expect(JSON.parse(readFileSync(out, 'utf8')).log.entries[0].request.bodySize).toBe(0);
  });

  it('report counts odd findings and iKeys without stopping (findings [null], iKeys 5, a host with no string form)', () => {
    const lines = [
      { exchange: { request: { method: 'GET', host: 'h' } }, findings: [null] },
      {
        exchange: { request: { method: 'GET', host: 'h' } },
        analysis: { envelopes: { iKeys: 5 } },
        findings: [{ id: 'A' }],
      },
      { exchange: { request: { method: 'GET', host: { toString: 1 } } } },
      { exchange: { request: { method: 'GET', host: 'h' } }, response: { status: 200 } },
    ];
    const input = path.join(tmp.dir, 'odd-report.log');
    writeFileSync(input, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const r = run(['report', input, '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.lines).toEqual({ total: 4, exchanges: 3, other: 0, unparsed: 1 });
    expect(report.unparsed.map((u: { line: number }) => u.line)).toEqual([3]);
  });

  it('a pipe (kubectl logs …) works for har and inspect: read once, the verdict from the same pass', async () => {
    const fifo = (name: string) => {
      const file = path.join(tmp.dir, name);
      expect(spawnSync('mkfifo', [file]).status).toBe(0);
      // A writer that fills the pipe once, as `kubectl logs` would.
      spawn('sh', ['-c', `cat "${log}" > "${file}"`], { stdio: 'ignore' });
      return file;
    };
    const out = path.join(tmp.dir, 'from-pipe.har');
    const r = run(['har', fifo('har.pipe'), '--out', out]);
    // Both exchange lines: the one without body or timings is filled in by the log-line reader.
    expect(r.err).toBe(`har: 2 exchanges written to ${out}\n`);
    expect(r.code).toBe(0);
    const { source, counts } = await logFileSource(fifo('inspect.pipe'));
    expect(counts.lines).toBe(3);
    expect(source.report().lines.total).toBe(3);
  });

  it('never destroys what it reads: har --out the log itself, ca export over the CA key', () => {
    const copy = path.join(tmp.dir, 'keep.log');
    writeFileSync(copy, foreignLog());
    const before = readFileSync(copy, 'utf8');
    const r = run(['har', copy, '--out', copy]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is the log being read');
    expect(readFileSync(copy, 'utf8')).toBe(before);

    const caDir = path.join(tmp.dir, 'ca');
    expect(run(['ca', 'init', '--ca-dir', caDir]).code).toBe(0);
    const key = readFileSync(path.join(caDir, 'ca.key'), 'utf8');
    for (const [command, file] of [
      ['export', 'ca.key'],
      ['export', 'ca.pem'],
      ['export', 'ca-signer.pem'],
      ['truststore', 'ca.key'],
    ] as const) {
      const w = run(['ca', command, '--ca-dir', caDir, '--out', path.join(caDir, file)]);
      expect({ command, file, code: w.code, said: w.err.includes(`CA's own ${file}`) }).toEqual({
        command,
        file,
        code: 2,
        said: true,
      });
    }
    expect(readFileSync(path.join(caDir, 'ca.key'), 'utf8')).toBe(key);
    expect(run(['ca', 'show', '--ca-dir', caDir]).code).toBe(0);
  });

  it('a directory is not a log, and --ca-dir "" is not a directory', () => {
    const dir = path.join(tmp.dir, 'a-dir');
    mkdirSync(dir);
    for (const args of [
      ['report', dir],
      ['har', dir, '--out', path.join(tmp.dir, 'x.har')],
      ['inspect', dir],
    ]) {
      const r = run(args);
      expect({ args, code: r.code, err: r.err.split('\n')[0] }).toEqual({
        args,
        code: 2,
        err: `appinsights-auth-proxy: ${dir} is a directory: give the log file itself`,
      });
    }
    const cwd = path.join(tmp.dir, 'cwd');
    mkdirSync(cwd);
    const r = spawnSync(process.execPath, [CLI, 'ca', 'init', '--ca-dir', ''], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--ca-dir: expected a directory path');
    expect(spawnSync('ls', ['-A', cwd], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('a reader that stops early (| head) ends the command quietly, exit 0', () => {
    const many = path.join(tmp.dir, 'many.log');
    writeFileSync(
      many,
      `${'{"level":"info","time":"2026-01-01T00:00:00Z","msg":"a line of the log"}\n'.repeat(20_000)}`,
    );
    // A flag may come before the command (`--color false pretty`): the command is the parsed one.
    for (const command of [
      `explain --all`,
      `pretty --color false < "${many}"`,
      `--color false pretty < "${many}"`,
    ]) {
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"${process.execPath}" "${CLI}" ${command} 2>"${tmp.dir}/err" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`,
        ],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect({ command, code: r.stdout.trim(), err: readFileSync(`${tmp.dir}/err`, 'utf8') }).toEqual({
        command,
        code: '0',
        err: '',
      });
    }
  });
});
