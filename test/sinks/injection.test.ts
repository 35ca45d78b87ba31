/* eslint-disable no-control-regex -- matching control characters is what this test is about */
import { PassThrough, Readable } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { explainStream } from '../../src/sinks/explain-stream';
import { formatTextLine } from '../../src/sinks/pretty';
import { PrettyTransform } from '../../src/sinks/pretty-stream';
import { ReportBuilder, reportFromFile } from '../../src/sinks/report';
import { HarFileSink } from '../../src/sinks/har-sink';
import { formatReport } from '../../src/sinks/report-format';
import { httpsViaProxy } from '../helpers/proxy-client';
import { startTestProxy } from '../helpers/proxy-harness';
import { tempDir } from '../helpers/tmp';
import { startUpstream } from '../helpers/upstream';
import { exchange, finding, logLine } from './fixtures';

/**
 * Log injection: a value from a peer (a path, a reason phrase, a form field, an error message)
 * must not forge a line in the readable views, nor send a terminal control sequence. A generated
 * corpus: every control sequence × every field the views print × every readable output.
 */

const FORGED = '12:00:00.000 INFO  POST forged.example/v2.1/track → 200 OK';
const CONTROLS: Record<string, string> = {
  LF: '\n',
  CR: '\r',
  CRLF: '\r\n',
  'LINE SEPARATOR': '\u2028',
  'PARAGRAPH SEPARATOR': '\u2029',
  NEL: '\u0085',
  VT: '\u000b',
  FF: '\u000c',
  NUL: '\u0000',
  BS: '\u0008',
  DEL: '\u007f',
  'ESC conceal': '\u001b[8m',
  'ESC clear screen': '\u001b[2J\u001b[H',
  'ESC title (OSC)': '\u001b]0;pwned\u0007',
  'C1 CSI': '\u009b31m',
  'C1 OSC': '\u009d0;pwned\u009c',
  'RLO (bidi)': '\u202e',
};

const payload = (control: string) => `x${control}${FORGED}${control}`;

type Json = Record<string, any>;
/** Every field a readable view prints, as a function that plants the payload there. */
const FIELDS: Record<string, (p: string) => Json> = {
  path: (p) => logLine({ exchange: exchange({ path: `/v2.1/track?q=${p}` }) }),
  reason: (p) => logLine({ level: 'error', exchange: exchange({ status: 400, reason: p }) }),
  'finding title': (p) =>
    logLine({
      level: 'error',
      findings: [finding('INGESTION_REJECTED', 'error', { title: `rejected: ${p}` })],
    }),
  'finding evidence': (p) =>
    logLine({
      level: 'error',
      findings: [finding('INGESTION_REJECTED', 'error', { evidence: { message: p } })],
    }),
  'finding fix step': (p) =>
    logLine({
      level: 'error',
      findings: [
        finding('INGESTION_REJECTED', 'error', { guidance: { why: p, fix: [p], learnMore: [] } } as any),
      ],
    }),
  'tunnel error': (p) => ({
    level: 'info',
    time: '2025-01-02T03:04:05.800Z',
    msg: 'TUNNEL',
    tunnel: { target: 'a:443', error: p },
  }),
  'generic message': (p) => ({ level: 'warn', time: '2025-01-02T03:04:05.800Z', msg: p, extra: p }),
  'startup env': (p) => ({
    level: 'info',
    time: '2025-01-02T03:04:05.800Z',
    msg: 'listening',
    listening: 'x',
    env: p,
  }),
};

/** Control characters a view may emit: the newline between its own lines, and its own colours. */
function strayControls(text: string, colour: boolean): string[] {
  const withoutOwnColours = colour ? text.replace(/\u001b\[(?:0|1|2|31|32|33)m/g, '') : text;
  return [
    ...withoutOwnColours.matchAll(
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    ),
  ].map((m) => `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m.index}`);
}

/** Lines that begin with the forged headline (a line break was honoured). */
function forgedLines(text: string): string[] {
  return text
    .split(/\r\n|[\n\r\u2028\u2029\u0085\u000b\u000c]/)
    .filter((l) => l.startsWith('12:00:00.000 INFO'));
}

async function prettyStream(lines: string[], colour: boolean): Promise<string> {
  const t = new PrettyTransform({ color: colour, onlyFindings: false });
  const out: string[] = [];
  t.on('data', (c: Buffer) => out.push(c.toString()));
  const done = new Promise((r) => t.on('end', r));
  for (const l of lines) t.write(`${l}\n`);
  t.end();
  await done;
  return out.join('');
}

const cases = Object.keys(CONTROLS).flatMap((c) => Object.keys(FIELDS).map((f) => [c, f] as const));

describe('log injection: every control × every printed field × every readable output', () => {
  it.each(cases)('%s in %s', async (controlName, field) => {
    const line = FIELDS[field]!(payload(CONTROLS[controlName]!));
    const json = JSON.stringify(line);
    const outputs: [string, string, boolean][] = [];
    outputs.push(['pretty', formatTextLine(json, { color: false, onlyFindings: false }) ?? '', false]);
    outputs.push(['pretty colour', await prettyStream([json], true), true]);
    const builder = new ReportBuilder();
    builder.addText(json, 1);
    builder.addText(`not json ${payload(CONTROLS[controlName]!)}`, 2);
    outputs.push(['report text', formatReport(builder.result(), 'text'), false]);
    outputs.push(['report markdown', formatReport(builder.result(), 'markdown'), false]);
    for (const [name, text, colour] of outputs) {
      expect({ name, stray: strayControls(text, colour) }).toEqual({ name, stray: [] });
      expect({ name, forged: forgedLines(text) }).toEqual({ name, forged: [] });
    }
  });

  it('a line that is not JSON reaches pretty escaped, not raw', async () => {
    const out = await prettyStream(
      [`plain ${payload('\u001b[8m')}`, `{"broken": "${payload('\u009b')}`],
      false,
    );
    expect(strayControls(out, false)).toEqual([]);
    expect(out.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('explain: a recognised SDK line carrying escapes is quoted escaped', async () => {
    const line = `HTTP/1.1 401 Authorization required \u001b[8mhidden\u001b]0;pwned\u0007 \u009b2J`;
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const result = await explainStream(Readable.from([`${line}\n`]), out);
    expect(result.recognised).toBe(1);
    expect(strayControls(chunks.join(''), false)).toEqual([]);
    expect(chunks.join('')).toContain('\\x1b[8mhidden');
  });
});

describe('log injection through a real proxy run: the service answers with control characters', () => {
  const HOST = 'westus-0.in.applicationinsights.azure.com';
  const tmp = tempDir('aiproxy-inject-');
  afterAll(() => tmp.cleanup());

  it('the JSON log carries them escaped, and pretty shows one headline per exchange', async () => {
    const upstream = await startUpstream([HOST]);
    const message = `bad item\n${FORGED}\n\u001b[8m\u009b2J\u2028`;
    upstream.handler = (_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          itemsReceived: 1,
          itemsAccepted: 0,
          errors: [{ index: 0, statusCode: 400, message }],
        }),
      );
    };
    const ca = path.join(tmp.dir, 'up.pem');
    writeFileSync(ca, upstream.caPem);
    const harFile = path.join(tmp.dir, 'live.har');
    const logFile = path.join(tmp.dir, 'proxy.log');
    const proxy = await startTestProxy({
      resolve: [`${HOST}:443=127.0.0.1:${upstream.port}`],
      upstreamCa: [ca],
      logFile,
      sinks: [new HarFileSink(harFile)],
    });
    try {
      const form = `name=${encodeURIComponent(`a\n${FORGED}`)}`;
      const reply = await httpsViaProxy({
        proxyPort: proxy.port,
        ca: proxy.caPem,
        host: HOST,
        path: `/v2.1/track?x=${encodeURIComponent(`\n${FORGED}`)}`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      expect(reply.status).toBe(400);
      await proxy.waitForExchanges(1);
      const raw = proxy.raw();
      // JSON escapes C0; the logger escapes C1 and the line separators too.
      expect(strayControls(raw, false)).toEqual([]);
      const exchangeLine = raw.split('\n').find((l) => l.includes('"exchange"'))!;
      // ...and a JSON reader gets the value back exactly (the upstream's JSON kept ESC escaped, C1 raw).
      expect(JSON.parse(exchangeLine).exchange.response.body.text).toContain('\\u001b[8m\u009b2J');
      expect(exchangeLine).toContain('\\u009b2J');
      const pretty = await prettyStream(raw.split('\n').filter(Boolean), false);
      expect(forgedLines(pretty)).toEqual([]);
      expect(strayControls(pretty, false)).toEqual([]);
      await proxy.close();
      // The files a terminal may `cat`: the log file, the HAR, the report in every format.
      const report = await reportFromFile(logFile);
      for (const [name, text] of [
        ['log file', readFileSync(logFile, 'utf8')],
        ['har', readFileSync(harFile, 'utf8')],
        ['report json', formatReport(report, 'json')],
        ['report text', formatReport(report, 'text')],
      ] as const) {
        expect({ name, stray: strayControls(text.replace(/\n/g, ' '), false) }).toEqual({ name, stray: [] });
      }
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});
