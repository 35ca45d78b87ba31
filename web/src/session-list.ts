import type { SessionRow } from '../../src/inspector/session-row';
import { clear, el } from './dom';
import { compileFilter, type FilterState, searchText } from './filter';
import { clockTime, expiryText, statusClass } from './format';

interface ListedRow {
  row: SessionRow;
  tr: HTMLTableRowElement;
  haystack: string;
  authCell: HTMLSpanElement;
}

function authText(row: SessionRow, now: number): string {
  const a = row.auth;
  if (!a) return 'none';
  if (a.malformed) return `${a.scheme} (not a JWT)`;
  const parts = [a.scheme];
  if (a.aud) parts.push(a.aud);
  if (a.exp !== undefined) parts.push(expiryText(a.exp, now));
  return parts.join(' · ');
}

function authClass(row: SessionRow, now: number): string {
  if (!row.auth) return 'auth-none';
  if (row.auth.malformed || (row.auth.exp !== undefined && row.auth.exp * 1000 < now)) return 'auth-bad';
  return 'auth-ok';
}

function itemsText(row: SessionRow): string {
  if (row.itemsSent === undefined && row.itemsAccepted === undefined) return '';
  return `${row.itemsSent ?? '?'} / ${row.itemsAccepted ?? '?'}`;
}

function rowElement(row: SessionRow, now: number): ListedRow {
  const result = row.status !== undefined ? String(row.status) : (row.error ?? '—');
  const authCell = el('span', { class: `cut ${authClass(row, now)}` }, authText(row, now));
  const tr = el(
    'tr',
    { 'data-seq': String(row.seq), class: `row lvl-${row.level}` },
    el('td', { class: 'num' }, row.seq),
    el('td', { class: 'time' }, clockTime(row.time)),
    el(
      'td',
      { class: `result ${statusClass(row.status, row.error)}`, title: row.reason ?? row.error ?? '' },
      result,
    ),
    el('td', { class: 'method' }, row.method),
    el(
      'td',
      { class: 'badges' },
      el('span', { class: `chip ch-${row.channel}` }, row.channel),
      ...row.findings.map((f) => el('span', { class: `badge sev-${f.severity}`, title: f.severity }, f.id)),
    ),
    el('td', { class: 'host', title: row.host }, el('span', { class: 'cut' }, row.host)),
    el(
      'td',
      { class: 'path', title: row.path },
      row.apiVersion
        ? el('span', { class: `ver ver-${row.apiVersion.replace('.', '')}` }, row.apiVersion)
        : '',
      el('span', { class: 'cut' }, row.path),
    ),
    el('td', { class: 'auth', title: row.auth?.aud ?? '' }, authCell),
    el('td', { class: 'items' }, itemsText(row)),
    el('td', { class: 'dur' }, row.durationMs !== undefined ? `${row.durationMs} ms` : ''),
    el('td', { class: 'runtime' }, row.runtime ?? ''),
  );
  return { row, tr, haystack: searchText(row), authCell };
}

/** The session table: rows kept in arrival order, at most `limit`, shown or hidden by the filter. */
export class SessionList {
  private readonly rows = new Map<number, ListedRow>();
  private match: (row: SessionRow, haystack?: string) => boolean = () => true;
  limit = 1000;
  selected?: number;

  constructor(
    private readonly tbody: HTMLTableSectionElement,
    private readonly onCount: (shown: number, total: number) => void,
  ) {}

  replace(rows: SessionRow[]): void {
    this.rows.clear();
    clear(this.tbody);
    this.add(rows);
  }

  add(rows: SessionRow[]): void {
    const now = Date.now();
    const fragment = document.createDocumentFragment();
    // A batch larger than the list: only its last rows would stay, so only those are made.
    for (const row of rows.length > this.limit ? rows.slice(-this.limit) : rows) {
      if (this.rows.has(row.seq)) continue;
      const listed = rowElement(row, now);
      listed.tr.hidden = !this.match(row, listed.haystack);
      if (row.seq === this.selected) listed.tr.classList.add('selected');
      this.rows.set(row.seq, listed);
      fragment.appendChild(listed.tr);
    }
    this.tbody.appendChild(fragment);
    this.trim();
    this.count();
  }

  /** Rows older than the server's history, or beyond the limit, go. */
  dropBefore(firstSeq: number): void {
    for (const [seq, listed] of this.rows) {
      if (seq >= firstSeq) break;
      listed.tr.remove();
      this.rows.delete(seq);
    }
    this.count();
  }

  private trim(): void {
    while (this.rows.size > this.limit) {
      const [seq, listed] = this.rows.entries().next().value as [number, ListedRow];
      listed.tr.remove();
      this.rows.delete(seq);
    }
  }

  setFilter(filter: FilterState): void {
    this.match = compileFilter(filter);
    for (const listed of this.rows.values()) listed.tr.hidden = !this.match(listed.row, listed.haystack);
    this.count();
  }

  select(seq: number | undefined): void {
    if (this.selected !== undefined) this.rows.get(this.selected)?.tr.classList.remove('selected');
    this.selected = seq;
    if (seq !== undefined) this.rows.get(seq)?.tr.classList.add('selected');
  }

  /** Token expiry is relative to now: refreshed now and then. */
  refreshTimes(): void {
    const now = Date.now();
    for (const listed of this.rows.values()) {
      listed.authCell.textContent = authText(listed.row, now);
      listed.authCell.className = `cut ${authClass(listed.row, now)}`;
    }
  }

  visibleSeqs(): number[] {
    return [...this.rows.values()].filter((l) => !l.tr.hidden).map((l) => l.row.seq);
  }

  findingIds(): string[] {
    const ids = new Set<string>();
    for (const listed of this.rows.values()) for (const f of listed.row.findings) ids.add(f.id);
    return [...ids].sort();
  }

  private count(): void {
    let shown = 0;
    for (const listed of this.rows.values()) if (!listed.tr.hidden) shown++;
    this.onCount(shown, this.rows.size);
  }
}
