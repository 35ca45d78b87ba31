import type { SessionsSnapshot } from '../../src/inspector/inspector-route';
import type { SessionRow } from '../../src/inspector/session-row';
import type { Report } from '../../src/sinks/report';
import { byId, clear, el } from './dom';
import { ALL_CHANNELS, type FilterState, filterFromQuery, filterToQuery } from './filter';
import { SessionList } from './session-list';
import { renderSession, type SessionPayload } from './session-pane';
import { renderVerdict } from './verdict';

/**
 * The inspector page: the session list fed by server-sent events, the filter in the URL, one
 * session open in the pane. Timings of the first render and of each filtering are kept in
 * `window.inspectorTimings` (the browser test reports them).
 */

interface Timings {
  firstRenderMs?: number;
  firstRenderRows?: number;
  lastFilterMs?: number;
  lastFilterRows?: number;
}
const timings: Timings = {};
(window as unknown as { inspectorTimings: Timings }).inspectorTimings = timings;

const filter: FilterState = filterFromQuery(location.search);
let events: EventSource | undefined;
let paused = false;
let mode: 'live' | 'file' = 'live';

const tbody = byId<HTMLTableSectionElement>('rows');
const countText = byId('count');
/** The newest verdict from the feed, drawn with the list (a few times a second at most). */
let pendingReport: Report | undefined;
let shownCount = 0;
const list = new SessionList(tbody, (shown, total) => {
  shownCount = shown;
  countText.textContent = `${shown} of ${total} shown`;
  showReport(pendingReport);
  pendingReport = undefined;
  refreshFindingOptions();
});
const pane = byId('pane');
const search = byId<HTMLInputElement>('search');
const failures = byId<HTMLInputElement>('failures');
const hideSelf = byId<HTMLInputElement>('hide-self');
const findingSelect = byId<HTMLSelectElement>('finding');
const chips = byId('channels');
const status = byId('status');
const pauseButton = byId<HTMLButtonElement>('pause');
const clearButton = byId<HTMLButtonElement>('clear');

function writeUrl(): void {
  history.replaceState(null, '', `${location.pathname}${filterToQuery(filter)}`);
}

function applyFilter(): void {
  const start = performance.now();
  list.setFilter(filter);
  timings.lastFilterMs = performance.now() - start;
  timings.lastFilterRows = shownCount;
  writeUrl();
}

function showControls(): void {
  search.value = filter.q;
  failures.checked = filter.failuresOnly;
  hideSelf.checked = filter.hideSelfTelemetry;
  for (const chip of chips.querySelectorAll<HTMLButtonElement>('button'))
    chip.classList.toggle('on', filter.channels.includes(chip.dataset.channel as never));
}

function refreshFindingOptions(): void {
  const ids = list.findingIds();
  if (filter.finding && !ids.includes(filter.finding)) ids.push(filter.finding);
  const current = [...findingSelect.options].map((o) => o.value).join(',');
  if (current === ['', ...ids].join(',')) return;
  clear(findingSelect);
  findingSelect.appendChild(el('option', {}, 'any finding'));
  findingSelect.options[0]!.value = '';
  for (const id of ids) {
    const option = el('option', {}, id);
    option.value = id;
    findingSelect.appendChild(option);
  }
  findingSelect.value = filter.finding;
}

function showReport(report: Report | undefined): void {
  if (report) renderVerdict(byId('verdict'), report);
}

function onSnapshot(snapshot: SessionsSnapshot): void {
  mode = snapshot.mode;
  list.limit = snapshot.history.limit;
  document.title = `${snapshot.mode === 'file' ? 'Saved log' : 'Live'}: ${snapshot.title} — appinsights-auth-proxy inspector`;
  byId('source').textContent =
    snapshot.mode === 'file' ? `saved log ${snapshot.title} (read-only)` : `live on ${snapshot.title}`;
  clearButton.disabled = snapshot.mode === 'file';
  pauseButton.disabled = snapshot.mode === 'file';
  pendingReport = undefined;
  const start = performance.now();
  list.replace(snapshot.rows);
  if (timings.firstRenderMs === undefined) {
    timings.firstRenderMs = performance.now() - start;
    timings.firstRenderRows = snapshot.rows.length;
  }
  showReport(snapshot.report);
  refreshFindingOptions();
  if (filter.open !== undefined) void openSession(filter.open);
}

function connect(): void {
  events = new EventSource('/api/events');
  events.addEventListener('open', () => {
    status.textContent = mode === 'file' ? 'saved log' : 'live';
    status.className = 'status-live';
  });
  events.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'status-down';
  });
  events.addEventListener('snapshot', (e) => onSnapshot(JSON.parse((e as MessageEvent<string>).data)));
  events.addEventListener('rows', (e) => {
    const batch = JSON.parse((e as MessageEvent<string>).data) as {
      rows: SessionRow[];
      report?: Report;
      firstSeq?: number;
    };
    // Kept now, drawn (rows, verdict, finding list) with the list's next coalesced draw.
    if (batch.report) pendingReport = batch.report;
    list.add(batch.rows);
    if (batch.firstSeq !== undefined) list.dropBefore(batch.firstSeq);
  });
}

async function openSession(seq: number): Promise<void> {
  list.select(seq);
  filter.open = seq;
  writeUrl();
  const res = await fetch(`/api/sessions/${seq}`);
  if (!res.ok) {
    // 404: cleared or dropped from the history; anything else is this record failing to render.
    const why =
      res.status === 404
        ? `is no longer held (${res.status}).`
        : `cannot be shown (${res.status}): ${(await res.text()).trim()}`;
    clear(pane);
    pane.appendChild(el('p', { class: 'muted' }, `Session ${seq} ${why}`));
    return;
  }
  const payload = (await res.json()) as SessionPayload;
  renderSession(pane, payload, copyCurl);
}

function copyCurl(text: string): void {
  const done = () => flash('curl command copied');
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => flash('copy failed: use "Show the command" below'));
  } else {
    pane.querySelector('.curl details')?.setAttribute('open', '');
    flash('this address cannot use the clipboard: the command is shown below');
  }
}

function flash(message: string): void {
  const note = byId('note');
  note.textContent = message;
  setTimeout(() => {
    if (note.textContent === message) note.textContent = '';
  }, 4000);
}

async function exportHar(): Promise<void> {
  const seqs = list.visibleSeqs();
  // Posted: the numbers of thousands of sessions do not fit in a URL.
  const res = await fetch('/api/har', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: seqs.join(','),
  });
  if (!res.ok) return flash(`export failed: ${res.status}`);
  const blob = await res.blob();
  const link = el('a', {});
  link.download = 'appinsights-auth-proxy.har';
  link.href = URL.createObjectURL(blob);
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  flash(`${seqs.length} sessions exported`);
}

function setPaused(value: boolean): void {
  paused = value;
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
  pauseButton.classList.toggle('on', paused);
  // Paused: no stream at all (nothing piles up anywhere); resuming starts from a snapshot.
  if (paused) {
    events?.close();
    status.textContent = 'paused';
    status.className = 'status-paused';
  } else connect();
}

function wire(): void {
  for (const channel of ALL_CHANNELS) {
    const chip = el(
      'button',
      { type: 'button', class: `chip ch-${channel}`, 'data-channel': channel },
      channel,
    );
    chip.addEventListener('click', () => {
      filter.channels = filter.channels.includes(channel)
        ? filter.channels.filter((c) => c !== channel)
        : [...filter.channels, channel];
      chip.classList.toggle('on', filter.channels.includes(channel));
      applyFilter();
    });
    chips.appendChild(chip);
  }
  search.addEventListener('input', () => {
    filter.q = search.value;
    applyFilter();
  });
  failures.addEventListener('change', () => {
    filter.failuresOnly = failures.checked;
    applyFilter();
  });
  hideSelf.addEventListener('change', () => {
    filter.hideSelfTelemetry = hideSelf.checked;
    applyFilter();
  });
  findingSelect.addEventListener('change', () => {
    filter.finding = findingSelect.value;
    applyFilter();
  });
  tbody.addEventListener('click', (e) => {
    const tr = (e.target as HTMLElement).closest('tr');
    const seq = Number(tr?.dataset.seq);
    if (seq) void openSession(seq);
  });
  pauseButton.addEventListener('click', () => setPaused(!paused));
  clearButton.addEventListener('click', () => {
    void fetch('/api/clear', { method: 'POST' }).then((r) => {
      if (!r.ok) flash(`clear failed: ${r.status}`);
      clear(pane);
    });
  });
  byId('export').addEventListener('click', () => void exportHar());
  setInterval(() => list.refreshTimes(), 30_000);
}

wire();
showControls();
list.setFilter(filter);
connect();
