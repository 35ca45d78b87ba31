import type { SessionRow } from '../../src/inspector/session-row';
import { el } from './dom';
import { compileFilter, type FilterState, searchText } from './filter';
import { clockTime, expiryText, statusClass } from './format';
import { RenderScheduler } from './render-scheduler';

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

function rowElement(row: SessionRow, now: number, selected: boolean): HTMLTableRowElement {
  const result = row.status !== undefined ? String(row.status) : (row.error ?? '—');
  return el(
    'tr',
    { 'data-seq': String(row.seq), class: `row lvl-${row.level}${selected ? ' selected' : ''}` },
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
    el(
      'td',
      { class: 'auth', title: row.auth?.aud ?? '' },
      el('span', { class: `cut ${authClass(row, now)}` }, authText(row, now)),
    ),
    el('td', { class: 'items' }, itemsText(row)),
    el('td', { class: 'dur' }, row.durationMs !== undefined ? `${row.durationMs} ms` : ''),
    el('td', { class: 'runtime' }, row.runtime ?? ''),
  );
}

interface Entry {
  row: SessionRow;
  haystack: string;
  shown: boolean;
}

/** Rows drawn beyond the visible ones, above and below, so a short scroll shows no gap. */
const OVERSCAN = 10;
/** Until one row has been drawn and measured (rows have one fixed height: nowrap, fixed layout). */
const FALLBACK_ROW_PX = 23;
/** At most this many draws a second under a live feed, however fast rows arrive. */
const MIN_DRAW_INTERVAL_MS = 250;
const COLUMNS = 11;

/**
 * The session table over the bounded history (at most `limit` rows, arrival order, newest last).
 * Rows arriving from the feed only go into memory (O(1) each); drawing is coalesced to a few
 * times a second, and draws only the rows in view (plus a margin) between two spacer rows that
 * keep the scrollbar true, so the page's cost does not grow with the feed's rate or the history.
 * Scrolled to the bottom (the default), the view follows the newest rows.
 */
export class SessionList {
  private readonly entries = new Map<number, Entry>();
  private shown: Entry[] = [];
  private shownStale = false;
  private match: (row: SessionRow, haystack?: string) => boolean = () => true;
  private readonly drawn = new Map<number, HTMLTableRowElement>();
  private readonly topSpacer = spacerRow();
  private readonly bottomSpacer = spacerRow();
  private readonly scroller: HTMLElement;
  private readonly scheduler: RenderScheduler;
  private rowPx = 0;
  private follow = true;
  private version = 0;
  private drawnKey = '';
  limit = 1000;
  selected?: number;

  constructor(
    private readonly tbody: HTMLTableSectionElement,
    /** After each draw: rows matching the filter, rows held. */
    private readonly onDraw: (shown: number, total: number) => void,
  ) {
    this.scroller = tbody.closest<HTMLElement>('.list') ?? document.documentElement;
    this.scheduler = new RenderScheduler(() => this.draw(), MIN_DRAW_INTERVAL_MS);
    this.scroller.addEventListener(
      'scroll',
      () => {
        const px = this.rowPx || FALLBACK_ROW_PX;
        const s = this.scroller;
        this.follow = s.scrollTop + s.clientHeight >= s.scrollHeight - px;
        this.scheduler.request();
      },
      { passive: true },
    );
    // A taller window shows more rows: they are drawn at the next draw.
    window.addEventListener('resize', () => this.scheduler.request());
  }

  replace(rows: SessionRow[]): void {
    this.entries.clear();
    this.drawn.clear();
    this.ingest(rows);
    this.scheduler.now();
  }

  /** New rows from the feed: kept now, drawn with the next draw. */
  add(rows: SessionRow[]): void {
    this.ingest(rows);
    this.scheduler.request();
  }

  private ingest(rows: SessionRow[]): void {
    // A batch larger than the list: only its last rows would stay, so only those are kept.
    for (const row of rows.length > this.limit ? rows.slice(-this.limit) : rows) {
      if (this.entries.has(row.seq)) continue;
      const haystack = searchText(row);
      this.entries.set(row.seq, { row, haystack, shown: this.match(row, haystack) });
    }
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as number);
    this.changed();
  }

  /** Rows older than the server's history go. */
  dropBefore(firstSeq: number): void {
    for (const seq of this.entries.keys()) {
      if (seq >= firstSeq) break;
      this.entries.delete(seq);
    }
    this.changed();
    this.scheduler.request();
  }

  setFilter(filter: FilterState): void {
    this.match = compileFilter(filter);
    for (const entry of this.entries.values()) entry.shown = this.match(entry.row, entry.haystack);
    this.changed();
    this.scheduler.now();
  }

  select(seq: number | undefined): void {
    if (this.selected !== undefined) this.drawn.get(this.selected)?.classList.remove('selected');
    this.selected = seq;
    if (seq !== undefined) this.drawn.get(seq)?.classList.add('selected');
  }

  /** Token expiry is relative to now: rows are made again now and then. */
  refreshTimes(): void {
    this.drawn.clear();
    this.changed();
    this.scheduler.request();
  }

  /** Every session the filter shows (drawn or not). */
  visibleSeqs(): number[] {
    return this.shownEntries().map((e) => e.row.seq);
  }

  findingIds(): string[] {
    const ids = new Set<string>();
    for (const entry of this.entries.values()) for (const f of entry.row.findings) ids.add(f.id);
    return [...ids].sort();
  }

  private changed(): void {
    this.shownStale = true;
    this.version += 1;
  }

  private shownEntries(): Entry[] {
    if (this.shownStale) {
      this.shown = [];
      for (const entry of this.entries.values()) if (entry.shown) this.shown.push(entry);
      this.shownStale = false;
    }
    return this.shown;
  }

  private draw(): void {
    const shown = this.shownEntries();
    const px = this.rowPx || FALLBACK_ROW_PX;
    const inView = Math.ceil(this.scroller.clientHeight / px) + 1;
    const first = this.follow
      ? Math.max(0, shown.length - inView - OVERSCAN)
      : Math.max(0, Math.min(Math.floor(this.scroller.scrollTop / px) - OVERSCAN, shown.length - inView));
    const end = Math.min(shown.length, first + inView + 2 * OVERSCAN);
    const key = `${this.version}:${first}:${end}:${px}`;
    if (key !== this.drawnKey) {
      this.drawnKey = key;
      const now = Date.now();
      const keep = new Map<number, HTMLTableRowElement>();
      const trs: HTMLTableRowElement[] = [];
      for (let i = first; i < end; i++) {
        const row = shown[i]!.row;
        const tr = this.drawn.get(row.seq) ?? rowElement(row, now, row.seq === this.selected);
        keep.set(row.seq, tr);
        trs.push(tr);
      }
      this.drawn.clear();
      for (const [seq, tr] of keep) this.drawn.set(seq, tr);
      setSpacer(this.topSpacer, first * px);
      setSpacer(this.bottomSpacer, (shown.length - end) * px);
      this.tbody.replaceChildren(this.topSpacer, ...trs, this.bottomSpacer);
      if (this.follow) this.scroller.scrollTop = this.scroller.scrollHeight;
      if (!this.rowPx && trs.length > 0) {
        // Measured once: every row has the same height, so no row is measured again.
        this.rowPx = trs[0]!.getBoundingClientRect().height || FALLBACK_ROW_PX;
        if (this.rowPx !== px) this.scheduler.request();
      }
    }
    this.onDraw(shown.length, this.entries.size);
  }
}

function spacerRow(): HTMLTableRowElement {
  const td = el('td', { class: 'spacer' });
  td.colSpan = COLUMNS;
  return el('tr', { class: 'spacer' }, td);
}

function setSpacer(tr: HTMLTableRowElement, height: number): void {
  tr.hidden = height === 0;
  // CSSOM, not a style attribute: allowed by the page's style-src 'self'.
  tr.style.height = `${height}px`;
}
