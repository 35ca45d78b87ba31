/** Headers that belong to one connection, never to the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
];

/** True for a header (lower-case name) that belongs to one connection. */
export function isHopByHop(lowerName: string): boolean {
  return HOP_BY_HOP.includes(lowerName);
}

/**
 * Removes hop-by-hop headers (and those named in Connection) from a header object, in place.
 * Runs twice per relayed request: it deletes only what is there (a `delete` of a present key is
 * what costs) and splits the Connection header only when there is one.
 */
export function stripHopByHop(headers: Record<string, unknown>, keepTransferEncoding: boolean): void {
  const connection = headers.connection;
  for (const h of HOP_BY_HOP) {
    if (headers[h] === undefined || (keepTransferEncoding && h === 'transfer-encoding')) continue;
    delete headers[h];
  }
  if (connection === undefined) return;
  for (const named of String(connection).split(',')) {
    const h = named.trim().toLowerCase();
    if (h === '' || headers[h] === undefined || (keepTransferEncoding && h === 'transfer-encoding')) continue;
    delete headers[h];
  }
}
