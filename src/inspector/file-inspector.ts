import { createReadStream } from 'node:fs';
import http from 'node:http';
import { jsonOf, logLineOf, type ParsedLogLine } from '../model/log-line';
import { logLines, MAX_LOG_LINE_BYTES, tooLongText } from '../model/log-lines';
import { redactForOutput } from '../ingestion/redact-output';
import { ReportBuilder } from '../sinks/report';
import { type InspectorSource, inspectorRoute, snapshotOf } from './inspector-route';
import { SessionFeed } from './session-feed';
import { DEFAULT_UI_HISTORY, DEFAULT_UI_HISTORY_BYTES, SessionHistory } from './session-history';
import { expandGuidance } from '../diagnosis/guidance-ref';

export interface LogFileSource {
  source: InspectorSource;
  /** Lines read, exchanges among them, lines that were not JSON log lines. */
  counts: { lines: number; exchanges: number; unparsed: number };
}

/**
 * A saved log as the page's source (read-only): its last `historySize` exchanges, read through the
 * log-line parser, and the verdict of `report` over the whole file.
 */
export async function logFileSource(
  file: string,
  historySize = DEFAULT_UI_HISTORY,
  historyBytes = DEFAULT_UI_HISTORY_BYTES,
  maxLineBytes = MAX_LOG_LINE_BYTES,
): Promise<LogFileSource> {
  const history = new SessionHistory(historySize, historyBytes);
  const counts = { lines: 0, exchanges: 0, unparsed: 0 };
  const builder = new ReportBuilder();
  const input = createReadStream(file);
  await new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  let lineNumber = 0;
  for await (const text of logLines(input, maxLineBytes)) {
    lineNumber += 1;
    if (typeof text !== 'string') {
      counts.lines += 1;
      counts.unparsed += 1;
      builder.addParsed(undefined, tooLongText(text), lineNumber);
      continue;
    }
    if (!text.trim()) continue;
    counts.lines += 1;
    // Parsed once for both: the report reads the line as written, then the reader fills it in.
    const value = jsonOf(text);
    builder.addParsed(value, text, lineNumber);
    const parsed: ParsedLogLine =
      value === undefined ? { kind: 'unparsed', reason: 'not JSON' } : logLineOf(value);
    if (parsed.kind === 'exchange') {
      try {
        // A log may come from anywhere (an older version, another tool, a hand edit): the page
        // shows it through the one output redaction, like every other reader.
        history.add(redactForOutput(expandGuidance(parsed.line)));
        counts.exchanges += 1;
      } catch {
        counts.unparsed += 1; // a hand-edited record the list cannot show: counted, not fatal
      }
    } else if (parsed.kind === 'unparsed') counts.unparsed += 1;
  }
  // The verdict from the same pass: a pipe (`inspect <(kubectl logs …)`) cannot be read twice.
  const report = builder.result();
  const source: InspectorSource = {
    mode: 'file',
    title: file,
    history,
    report: () => report,
    detailContext: {},
    feed: new SessionFeed({ snapshot: () => snapshotOf(source), extras: () => undefined }),
  };
  return { source, counts };
}

/**
 * What `inspect` says it loaded. The page holds what its history kept, which the byte ceiling
 * can make fewer than `--ui-history` (a log of 1 MB bodies keeps about 64 of them).
 */
export function loadedSummary(file: string, { source, counts }: LogFileSource): string {
  const { history } = source;
  const wanted = Math.min(counts.exchanges, history.maxEntries);
  const ceiling =
    history.size < wanted
      ? `: the page keeps at most ${Math.round(history.maxBytes / 2 ** 20)} MB of records`
      : '';
  return `${file}: ${counts.exchanges} exchanges (showing the last ${history.size}${ceiling}), ${counts.unparsed} lines not parsed`;
}

/** `inspect`'s own small web server: the page and its data, nothing else. */
export async function serveLogFile(
  source: InspectorSource,
  host: string,
  port: number,
): Promise<{ server: http.Server; url: string }> {
  const route = inspectorRoute(source);
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (!route.handle(pathname, req, res)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('appinsights-auth-proxy inspect: not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host}:${actual}/` };
}
