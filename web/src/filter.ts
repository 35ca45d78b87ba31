import type { Channel, SessionRow } from '../../src/inspector/session-row';

/**
 * The list's filter, kept in the URL (`?q=…&failures=1&self=hide&finding=…&channels=…`) so a link
 * reopens the same view. Pure: the page and the tests share it.
 */
export interface FilterState {
  /** Search words, all must match: free text, or host:, path:, status: (401, 4xx), finding:, method:. */
  q: string;
  failuresOnly: boolean;
  hideSelfTelemetry: boolean;
  finding: string;
  /** Channels shown; empty: all. */
  channels: Channel[];
  /** The open session. */
  open?: number;
}

export const ALL_CHANNELS: Channel[] = ['track', 'live', 'statsbeat', 'token', 'other'];

export function filterFromQuery(search: string): FilterState {
  const p = new URLSearchParams(search);
  const channels = (p.get('channels') ?? '')
    .split(',')
    .filter((c): c is Channel => (ALL_CHANNELS as string[]).includes(c));
  const open = Number(p.get('open'));
  return {
    q: p.get('q') ?? '',
    failuresOnly: p.get('failures') === '1',
    hideSelfTelemetry: p.get('self') === 'hide',
    finding: p.get('finding') ?? '',
    channels,
    ...(Number.isSafeInteger(open) && open > 0 ? { open } : {}),
  };
}

export function filterToQuery(f: FilterState): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.failuresOnly) p.set('failures', '1');
  if (f.hideSelfTelemetry) p.set('self', 'hide');
  if (f.finding) p.set('finding', f.finding);
  if (f.channels.length) p.set('channels', f.channels.join(','));
  if (f.open) p.set('open', String(f.open));
  const text = p.toString();
  return text ? `?${text}` : '';
}

export function isFailure(row: SessionRow): boolean {
  return (
    row.level !== 'info' ||
    (row.status ?? 0) >= 400 ||
    (row.error !== undefined && row.error !== 'CLIENT_ABORTED')
  );
}

function statusMatches(row: SessionRow, want: string): boolean {
  const status = row.status === undefined ? (row.error ?? '') : String(row.status);
  const cls = /^([1-5])xx$/i.exec(want);
  if (cls) return status.length === 3 && status[0] === cls[1];
  return status.toLowerCase() === want;
}

function termMatches(row: SessionRow, term: string, haystack: string): boolean {
  const colon = term.indexOf(':');
  const key = colon > 0 ? term.slice(0, colon) : '';
  const value = colon > 0 ? term.slice(colon + 1) : term;
  switch (key) {
    case 'host':
      return row.host.toLowerCase().includes(value);
    case 'path':
      return row.path.toLowerCase().includes(value);
    case 'status':
      return statusMatches(row, value);
    case 'finding':
    case 'id':
      return row.findings.some((f) => f.id.toLowerCase().includes(value));
    case 'method':
      return row.method.toLowerCase() === value;
    default:
      return haystack.includes(term);
  }
}

/** Everything the free-text search looks at, lower-cased once per row. */
export function searchText(row: SessionRow): string {
  return [
    row.method,
    row.host,
    row.path,
    row.status,
    row.reason,
    row.error,
    row.channel,
    row.runtime,
    row.auth?.scheme,
    row.auth?.aud,
    ...row.findings.map((f) => f.id),
  ]
    .filter((v) => v !== undefined)
    .join(' ')
    .toLowerCase();
}

/** A filter compiled once, applied to every row. */
export function compileFilter(f: FilterState): (row: SessionRow, haystack?: string) => boolean {
  const terms = f.q.toLowerCase().split(/\s+/).filter(Boolean);
  const finding = f.finding;
  const channels = new Set(f.channels);
  return (row, haystack = searchText(row)) => {
    if (f.failuresOnly && !isFailure(row)) return false;
    if (f.hideSelfTelemetry && row.channel === 'statsbeat') return false;
    if (channels.size && !channels.has(row.channel)) return false;
    if (finding && !row.findings.some((x) => x.id === finding)) return false;
    return terms.every((t) => termMatches(row, t, haystack));
  };
}
