import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { TextOutput } from './text-output';
import { HarText } from './har';
import { expandGuidance } from '../diagnosis/guidance-ref';
import { type LoggedExchangeLine, parseLogLine } from '../model/log-line';
import { logLines } from '../model/log-lines';

export interface HarConversion {
  entries: number;
  /** Lines that were not JSON (numbers of the first few). */
  unparsed: number;
  unparsedLines: number[];
}

const MAX_LISTED = 20;

/** The entry's text, or undefined for a shape none can be made of even so (a response that is a string…). */
function entryOf(har: HarText, line: LoggedExchangeLine): string | undefined {
  try {
    return har.entry(expandGuidance(line));
  } catch {
    return undefined;
  }
}

/** Streams the exchange lines of a JSON log into a HAR document; other lines are skipped. */
export async function convertLogToHar(input: Readable, out: Writable): Promise<HarConversion> {
  const har = new HarText();
  const output = new TextOutput(out);
  const result: HarConversion = { entries: 0, unparsed: 0, unparsedLines: [] };
  await output.write(har.head());
  let n = 0;
  for await (const line of logLines(input)) {
    n += 1;
    // A line too long to read is counted and listed like one that is not JSON.
    const text = typeof line === 'string' ? line : '(too long)';
    if (!text.trim()) continue;
    // The one reader of a log line fills what an old or hand-edited exchange line lacks.
    const parsed = parseLogLine(text);
    if (parsed.kind === 'other') {
      const { traffic, findings } = expandGuidance(parsed.record) as { traffic?: any; findings?: unknown };
      if (traffic?.state === 'fired' && Array.isArray(findings)) har.traffic(findings);
      continue;
    }
    const entry = parsed.kind === 'exchange' ? entryOf(har, parsed.line) : undefined;
    if (entry === undefined) {
      // Not JSON, or an exchange line no entry can be made of: counted and listed, and every
      // other line still converted.
      result.unparsed += 1;
      if (result.unparsedLines.length < MAX_LISTED) result.unparsedLines.push(n);
      continue;
    }
    await output.write(entry);
  }
  result.entries = har.entries;
  const comment = result.unparsed
    ? `log lines that could not be parsed: ${result.unparsed} (line ${result.unparsedLines.join(', ')}${result.unparsed > MAX_LISTED ? ', …' : ''})`
    : undefined;
  await output.end(har.tail(comment));
  return result;
}

export function convertLogFileToHar(logFile: string, harFile: string): Promise<HarConversion> {
  return convertLogToHar(createReadStream(logFile), createWriteStream(harFile));
}
