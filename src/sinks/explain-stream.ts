import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { recognise } from './explain';
import { formatRecognition } from './explain-format';
import { logLines } from '../model/log-lines';

export interface ExplainResult {
  lines: number;
  recognised: number;
}

/**
 * Reads SDK or agent log text line by line (a file, or `tail -f` on stdin) and writes an
 * explanation for each line a recogniser knows. Everything else is skipped without a word.
 */
export async function explainStream(input: Readable, out: Writable, source = 'line'): Promise<ExplainResult> {
  const shown = new Set<string>();
  const result: ExplainResult = { lines: 0, recognised: 0 };
  for await (const line of logLines(input)) {
    result.lines += 1;
    if (typeof line !== 'string') continue; // too long to be an SDK's log line
    const recognition = recognise(line);
    if (!recognition) continue;
    result.recognised += 1;
    if (!out.write(`${formatRecognition(recognition, `${source} ${result.lines}`, line, shown)}\n`)) {
      await once(out, 'drain');
    }
  }
  return result;
}
