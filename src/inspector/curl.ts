import type { Exchange } from '../model/exchange';
import { shellQuote } from '../model/shell-word';
import { escapeControls } from '../sinks/terminal-text';

/**
 * "Copy as curl" for one recorded request. The token never reached the record, so the command
 * carries a `$TOKEN` placeholder (set it with e.g. `TOKEN=$(az account get-access-token
 * --resource https://monitor.azure.com --query accessToken -o tsv)`); the body is the decoded
 * text the log kept, sent uncompressed.
 */

/** Headers curl sets itself, or that describe the wire form of a body we send decoded. */
const SKIPPED = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'upgrade',
  'authorization',
  'content-encoding',
]);

export function curlCommand(exchange: Exchange): string {
  const { request } = exchange;
  const parts = ['curl', '-sS', '-X', shellQuote(request.method), shellQuote(request.url)];
  if (request.authorization) {
    // Double quotes on purpose: the shell fills in $TOKEN. Scheme names are [A-Za-z-] only.
    const scheme = request.authorization.scheme.replace(/[^A-Za-z0-9-]/g, '');
    parts.push('-H', `"Authorization: ${scheme} $TOKEN"`);
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (SKIPPED.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push('-H', shellQuote(`${name}: ${v}`));
  }
  const body = request.body;
  const notes: string[] = [];
  if (body.text !== undefined) {
    parts.push('--data-binary', shellQuote(body.text));
  } else if (body.base64 !== undefined) {
    parts.unshift(`printf %s ${shellQuote(body.base64)} | base64 -d |`);
    parts.push('--data-binary', '@-');
  } else if (body.size > 0) {
    notes.push(`# the ${body.size}-byte body was not kept in the log (${body.omitted ?? 'not captured'})`);
  }
  if (body.truncated || body.decodedTruncated) notes.push('# the body was cut at the capture cap');
  if (request.authorization) notes.push('# set TOKEN first: the log never holds the token itself');
  // Comment lines hold text from the log (which may come from anyone): a line break in it would
  // end the comment and make the rest a command when the copy is pasted into a shell.
  return [...notes.map(escapeControls), parts.join(' ')].join('\n');
}
