import type { HeaderMap } from '../model/exchange';

/**
 * First value of a header, matched case-insensitively (captures keep the client's casing).
 * Called a dozen times per exchange, so it walks the keys in place (no entries array) and lowers
 * only a key of the right length that is not already the name.
 */
export function headerValue(headers: HeaderMap | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key in headers) {
    if (key.length !== wanted.length || (key !== wanted && key.toLowerCase() !== wanted)) continue;
    const value = headers[key]!;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}
