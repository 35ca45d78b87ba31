import type { Readable, Writable } from 'node:stream';
import { TextOutput } from './text-output';
import { redactForOutput } from '../ingestion/redact-output';
import { harCreator } from './har';
import { escapeC1InJson } from './terminal-text';
import { logLines } from '../model/log-lines';

/**
 * Recovers a HAR that `start --har` was writing when the proxy died (kill -9, power loss): the
 * live file is the HAR head, one entry per line, and the tail only once the proxy stopped. Every
 * whole entry is kept; a torn last entry is dropped and counted; the document is closed.
 */

export interface HarRepair {
  entries: number;
  /** Lines that were not a whole entry (a torn write at the crash). */
  dropped: number;
  /** The file was already a finished HAR (nothing to repair, entries re-written as they were). */
  wasComplete: boolean;
}

/** A live HAR begins like this; a JSON log line never does. */
export function looksLikeHar(firstBytes: string): boolean {
  return /^\s*\{\s*"log"\s*:/.test(firstBytes);
}

function creatorOf(head: string): unknown {
  const m = /"creator"\s*:\s*(\{[^{}]*\})/.exec(head);
  if (!m) return harCreator();
  try {
    return JSON.parse(m[1]!);
  } catch {
    return harCreator();
  }
}

export async function repairHar(input: Readable, out: Writable): Promise<HarRepair> {
  const result: HarRepair = { entries: 0, dropped: 0, wasComplete: false };
  const output = new TextOutput(out);
  let first = true;
  for await (const raw of logLines(input)) {
    const line = typeof raw === 'string' ? raw.trim() : '(too long)';
    if (first) {
      first = false;
      // A HAR written in one piece (not by --har) has no entry per line: nothing to repair here.
      if (!line.endsWith('[')) throw new Error('not a HAR written by --har (one entry per line)');
      await output.write(
        `{"log":{"version":"1.2","creator":${JSON.stringify(redactForOutput(creatorOf(line)))},"entries":[\n`,
      );
      continue;
    }
    if (!line) continue;
    if (/^\]/.test(line)) {
      result.wasComplete = true;
      break;
    }
    const text = line.endsWith(',') ? line.slice(0, -1) : line;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      result.dropped += 1;
      continue;
    }
    if (!entry || typeof entry !== 'object' || !('request' in entry)) {
      result.dropped += 1;
      continue;
    }
    await output.write(
      `${result.entries === 0 ? '' : ',\n'}${escapeC1InJson(JSON.stringify(redactForOutput(entry)))}`,
    );
    result.entries += 1;
  }
  const comment = result.wasComplete
    ? undefined
    : `recovered from an unfinished HAR (the proxy did not stop cleanly): ${result.entries} entries kept${result.dropped ? `, ${result.dropped} torn line(s) dropped` : ''}`;
  await output.end(`\n]${comment ? `,"comment":${JSON.stringify(comment)}` : ''}}}\n`);
  return result;
}
