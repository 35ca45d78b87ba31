import type { HeaderMap } from '../model/exchange';

/** First value of a header, matched case-insensitively (captures keep the client's casing). */
export function headerValue(headers: HeaderMap | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    return typeof value === 'string' ? value : value[0];
  }
  return undefined;
}
