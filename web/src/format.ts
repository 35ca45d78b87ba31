/** Small text formatters shared by the list and the pane (pure, no DOM). */

export function relativeTime(epochSeconds: number, nowMs: number = Date.now()): string {
  const diff = epochSeconds * 1000 - nowMs;
  const abs = Math.abs(diff);
  const minutes = Math.round(abs / 60_000);
  const span =
    abs < 60_000
      ? `${Math.round(abs / 1000)} s`
      : minutes < 120
        ? `${minutes} min`
        : abs < 48 * 3_600_000
          ? `${Math.round(abs / 3_600_000)} h`
          : `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `in ${span}` : `${span} ago`;
}

export function expiryText(exp: number, nowMs: number = Date.now()): string {
  return exp * 1000 >= nowMs ? `expires ${relativeTime(exp, nowMs)}` : `expired ${relativeTime(exp, nowMs)}`;
}

export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function statusClass(status: number | undefined, error: string | undefined): string {
  if (status === undefined) return error ? 's-fail' : 's-none';
  if (status >= 500) return 's-5xx';
  if (status >= 400) return 's-4xx';
  if (status >= 300) return 's-3xx';
  return status === 206 ? 's-partial' : 's-2xx';
}

export function headerEntries(
  headers: { readonly [name: string]: string | readonly string[] } | undefined,
): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {}))
    // Array.isArray keeps any runtime shape safe (the page reads JSON it did not type-check).
    for (const v of Array.isArray(value) ? (value as readonly unknown[]) : [value])
      out.push([name, String(v)]);
  return out;
}
