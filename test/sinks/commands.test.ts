import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main';
import { viewSinks } from '../../src/cli/view-sinks';
import { HarFileSink } from '../../src/sinks/har-sink';
import { SummarySink } from '../../src/sinks/summary-sink';
import { tempDir } from '../helpers/tmp';
import { harSchemaErrors } from './har-schema';
import { exchange, finding, logLine } from './fixtures';

/** Runs the CLI in-process and returns what it wrote to stdout and stderr. */
async function cli(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const outSpy = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: any) => ((out += String(chunk)), true));
  const errSpy = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: any) => ((err += String(chunk)), true));
  const savedStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  if (stdin !== undefined)
    Object.defineProperty(process, 'stdin', { value: Readable.from([stdin]), configurable: true });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    outSpy.mockRestore();
    errSpy.mockRestore();
    Object.defineProperty(process, 'stdin', savedStdin);
  }
}

describe('the people commands', () => {
  const tmp = tempDir('aiproxy-cmd-');
  const log = path.join(tmp.dir, 'proxy.log');
  const failing = logLine({
    level: 'error',
    exchange: exchange({ status: 401, reason: 'Unauthorized' }),
    findings: [finding('TOKEN_MISSING', 'error')],
  });
  beforeAll(() =>
    writeFileSync(
      log,
      [logLine(), failing, 'garbage'].map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'),
    ),
  );
  afterAll(() => tmp.cleanup());

  it('report LOGFILE --format markdown|json', async () => {
    const md = await cli(['report', log, '--format', 'markdown']);
    expect(md.code).toBe(0);
    expect(md.out).toContain('**Verdict:** telemetry is reaching the service, but not all of it');
    expect(md.out).toContain('- line 3: garbage');
    const json = await cli(['report', log, '--format', 'json']);
    expect(JSON.parse(json.out).findings[0]).toMatchObject({ id: 'TOKEN_MISSING', count: 1 });
    expect((await cli(['report', path.join(tmp.dir, 'missing.log')])).code).toBe(2);
  });

  it('har LOGFILE --out FILE', async () => {
    const out = path.join(tmp.dir, 'out.har');
    const run = await cli(['har', log, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.err).toBe(`har: 2 exchanges written to ${out}; 1 line could not be parsed\n`);
    const har = JSON.parse(readFileSync(out, 'utf8'));
    expect(harSchemaErrors(har)).toEqual([]);
    expect(har.log.comment).toBe('log lines that could not be parsed: 1 (line 3)');
  });

  it('a log saved on Windows (UTF-16LE with its mark, as PowerShell 5 `>` writes it; UTF-8 with a mark): report, har and explain read it as text (pretty: the UTF-8 mark)', async () => {
    const text = readFileSync(log, 'utf8');
    const utf16 = path.join(tmp.dir, 'powershell.log');
    writeFileSync(
      utf16,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')]),
    );
    const bom = path.join(tmp.dir, 'notepad.log');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    for (const file of [utf16, bom]) {
      const report = JSON.parse((await cli(['report', file, '--format', 'json'])).out);
      expect(report.findings[0]).toMatchObject({ id: 'TOKEN_MISSING', count: 1 });
      expect(report.unparsed).toEqual([{ line: 3, text: 'garbage' }]);
      const out = path.join(tmp.dir, 'windows.har');
      expect((await cli(['har', file, '--out', out])).err).toBe(
        `har: 2 exchanges written to ${out}; 1 line could not be parsed\n`,
      );
    }
    const viewed = await cli(['pretty', '--color', 'false'], `\uFEFF${text}`);
    expect(viewed.out.split('\n')[0]).toMatch(/^03:04:05\.800 INFO {2}POST /);
    const appLog = path.join(tmp.dir, 'app-utf16.log');
    const sdkLine =
      'WARN c.m.a.TelemetryChannel - Failed to send telemetry with status code: 403, please check your credentials\r\n';
    writeFileSync(appLog, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sdkLine, 'utf16le')]));
    expect((await cli(['explain', appLog])).out).toContain('  → ROLE_MISSING (error): ');
  });

  it('har on a full disk (/dev/full) fails and names the file, for a log and for a HAR to repair', async () => {
    const unfinished = path.join(tmp.dir, 'unfinished.har');
    writeFileSync(unfinished, '{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[\n');
    for (const input of [log, unfinished]) {
      const run = await cli(['har', input, '--out', '/dev/full']);
      expect(run.code).toBe(1);
      expect(run.err).toContain('--out /dev/full: cannot write the HAR (ENOSPC)');
      expect(run.err).not.toContain('written to');
    }
  });

  it('pretty reads NDJSON on stdin; --only-findings keeps the failure only', async () => {
    const text = readFileSync(log, 'utf8');
    const all = await cli(['pretty'], text);
    expect(all.code).toBe(0);
    expect(all.out.split('\n')[0]).toBe(
      '03:04:05.800 INFO  POST westus-0.in.applicationinsights.azure.com/v2.1/track → 200 OK (45 ms, 3 items, 3/3 accepted)',
    );
    expect(all.out).toContain('\ngarbage\n');
    const only = await cli(['pretty', '--only-findings'], text);
    expect(only.out.split('\n')[0]).toMatch(/^03:04:05\.800 ERROR POST .* → 401 Unauthorized/);
    expect(only.out).not.toContain('200 OK');
    expect(only.out).not.toContain('\x1b[');
  });

  it('explain FILE, explain on stdin, and lookups', async () => {
    const appLog = path.join(tmp.dir, 'app.log');
    writeFileSync(
      appLog,
      'starting\nWARN c.m.a.TelemetryChannel - Failed to send telemetry with status code: 403, please check your credentials\n',
    );
    const fromFile = await cli(['explain', appLog]);
    expect(fromFile.out).toContain(`${appLog} 2: WARN c.m.a.TelemetryChannel`);
    expect(fromFile.out).toContain('  → ROLE_MISSING (error): ');
    const fromStdin = await cli(
      ['explain'],
      'nothing to see\nFailed to get AAD Token. Error message: AADSTS7000215: Invalid client secret provided.\n',
    );
    expect(fromStdin.out).toContain('line 2: Failed to get AAD Token');
    expect(fromStdin.out).toContain('  → ENTRA_INVALID_CLIENT_SECRET (error): ');
    // `-` is stdin, as for cat and grep.
    const dash = await cli(
      ['explain', '-'],
      'Failed to get AAD Token. Error message: AADSTS7000215: Invalid client secret provided.\n',
    );
    expect([dash.code, dash.err]).toEqual([0, '']);
    expect(dash.out).toContain('line 1: Failed to get AAD Token');
    expect((await cli(['explain', '999'])).code).toBe(2);
    const quiet = await cli(['explain'], 'nothing to see\n');
    expect(quiet.out).toBe('');
    expect(quiet.err).toContain('none is an Application Insights SDK message');
    for (const [query, id] of [
      ['401', 'TOKEN_MISSING'],
      ['AADSTS700016', 'ENTRA_APP_NOT_FOUND'],
      ['TOKEN_MISSING', 'TOKEN_MISSING'],
    ]) {
      const lookup = await cli(['explain', query!]);
      expect(lookup.code).toBe(0);
      expect(lookup.out).toMatch(new RegExp(`^${id} \\(error\\): `, 'm'));
    }
    expect((await cli(['explain', 'NO_SUCH_THING'])).code).toBe(2);
    expect((await cli(['explain', '--all'])).out).toContain('SDK_SELF_TELEMETRY (info): ');
  });

  // A pipe (`explain <(kubectl logs app)`, /dev/stdin) was "no such file, and not a status…", and
  // so was a directory.
  it('explain reads a named pipe as a log, and says a directory is one', async () => {
    const fifo = path.join(tmp.dir, 'app.fifo');
    execFileSync('mkfifo', [fifo]);
    const writing = writeFile(
      fifo,
      'Failed to send telemetry with status code:403, please check your credentials\n',
    );
    const fromPipe = await cli(['explain', fifo]);
    await writing;
    expect(fromPipe.code).toBe(0);
    expect(fromPipe.out).toContain(`${fifo} 1: Failed to send telemetry`);
    expect(fromPipe.out).toContain('  → ROLE_MISSING (error): ');
    const dir = await cli(['explain', tmp.dir]);
    expect(dir.code).toBe(2);
    expect(dir.err).toContain(`${tmp.dir} is a directory: give the log file itself`);
  });
});

describe('what start adds with its view flags', () => {
  it('--har adds a HAR sink, the summary is on unless --summary false', () => {
    const tmp = tempDir('aiproxy-view-');
    const withHar = viewSinks({ har: path.join(tmp.dir, 'x.har') });
    expect(withHar.sinks.map((s) => s.constructor.name)).toEqual(['HarFileSink', 'SummarySink']);
    expect(viewSinks({ summary: false }).sinks).toEqual([]);
    return (withHar.sinks[0] as HarFileSink).close().then(() => tmp.cleanup());
  });

  it('the shutdown summary is the report text of what went through', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const sink = new SummarySink(out);
    sink.write(logLine());
    sink.write({
      ...logLine(),
      findings: [finding('ROLE_MISSING', 'error')],
      exchange: exchange({ status: 403, reason: 'Forbidden' }),
    });
    await sink.close();
    expect(text).toContain(
      '── appinsights-auth-proxy summary ──\nVerdict: telemetry is reaching the service, but not all of it',
    );
    expect(text).toContain('  1. ROLE_MISSING: ROLE_MISSING title');
  });
});
