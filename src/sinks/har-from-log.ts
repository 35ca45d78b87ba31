import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { TextOutput } from './text-output';
import { HarText } from './har';
import { expandGuidance } from '../diagnosis/guidance-ref';

export interface HarConversion {
  entries: number;
  /** Lines that were not JSON (numbers of the first few). */
  unparsed: number;
  unparsedLines: number[];
}

const MAX_LISTED = 20;

/** Streams the exchange lines of a JSON log into a HAR document; other lines are skipped. */
export async function convertLogToHar(input: Readable, out: Writable): Promise<HarConversion> {
  const har = new HarText();
  const output = new TextOutput(out);
  const result: HarConversion = { entries: 0, unparsed: 0, unparsedLines: [] };
  await output.write(har.head());
  let n = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    n += 1;
    if (!text.trim()) continue;
    let entry: string | undefined;
    try {
      const line = expandGuidance(JSON.parse(text));
      if (line?.traffic?.state === 'fired' && Array.isArray(line.findings)) har.traffic(line.findings);
      if (!line || typeof line !== 'object' || !line.exchange?.request) continue;
      entry = har.entry(line);
    } catch {
      // Not JSON, or an exchange line of a shape no HAR entry can be made of (a hand edit,
      // another tool's log): counted and listed, and every other line still converted.
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
