import type { Exchange, BodyCapture } from '../../src/model/exchange';
import type { Analysis } from '../../src/model/log-line';
import type { Finding } from '../../src/model/finding';
import type { FindingView, SessionDetail } from '../../src/inspector/session-detail';
import type { SessionRow } from '../../src/inspector/session-row';
import { clear, el, type Child } from './dom';
import { headerEntries, relativeTime } from './format';

/** What /api/sessions/N answers. */
export interface SessionPayload {
  seq: number;
  row: SessionRow;
  record: { exchange: Exchange; analysis?: Analysis; findings: Finding[] };
  detail: SessionDetail;
}

function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return el('section', { class: `pane-section ${id}`, 'data-section': id }, el('h3', {}, title), ...children);
}

function table(head: string[], rows: Child[][], cls = ''): HTMLTableElement {
  return el(
    'table',
    { class: `kv ${cls}` },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c))))),
  );
}

/** Catalog text marks code with backticks: those parts become <code> elements (still text). */
export function prose(text: string): HTMLElement {
  const span = el('span', {});
  text.split('`').forEach((part, i) => {
    if (part) span.appendChild(i % 2 ? el('code', {}, part) : document.createTextNode(part));
  });
  return span;
}

function list(items: string[], cls = ''): HTMLElement {
  return el('ol', { class: cls }, ...items.map((i) => el('li', {}, prose(i))));
}

function evidenceText(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : value === null ? '—' : String(value);
}

function findingBlock(f: FindingView): HTMLElement {
  return el(
    'div',
    { class: `finding sev-${f.severity}`, 'data-finding': f.id },
    el(
      'div',
      { class: 'finding-head' },
      el('span', { class: `badge sev-${f.severity}` }, f.id),
      ' ',
      f.title,
    ),
    el('p', { class: 'why' }, prose(f.why)),
    f.runtimeFix.length > 0 &&
      el('div', { class: 'fix runtime-fix' }, el('h4', {}, `Fix for ${f.runtime}`), list(f.runtimeFix)),
    f.fix.length > 0 &&
      el(
        'div',
        { class: 'fix' },
        el('h4', {}, f.runtimeFix.length ? 'Then, for any runtime' : 'Fix'),
        list(f.fix),
      ),
    f.otherRuntimes.length > 0 &&
      el(
        'details',
        { class: 'other-runtimes' },
        el('summary', {}, `Other runtimes (${f.otherRuntimes.map((o) => o.runtime).join(', ')})`),
        ...f.otherRuntimes.map((o) => el('div', {}, el('h4', {}, o.runtime), list(o.steps))),
      ),
    el(
      'details',
      { class: 'evidence' },
      el('summary', {}, 'Evidence'),
      table(
        ['field', 'value'],
        Object.entries(f.evidence).map(([k, v]) => [k, evidenceText(v)]),
      ),
    ),
    f.learnMore.length > 0 &&
      el(
        'ul',
        { class: 'learn' },
        ...f.learnMore.map((l) => el('li', {}, el('a', { href: l.url }, l.title))),
      ),
  );
}

function claimsSection(detail: SessionDetail, exchange: Exchange, now: number): HTMLElement {
  const auth = exchange.request.authorization;
  if (!auth) return section('Token', 'claims', el('p', { class: 'muted' }, 'No Authorization header.'));
  const facts = el(
    'p',
    { class: 'muted' },
    `${auth.scheme}, ${auth.length} characters, fingerprint ${auth.fingerprint}`,
    auth.malformed ? ` — not a JWT: ${auth.malformed}` : '',
  );
  if (!detail.claims.length) return section('Token', 'claims', facts);
  const rows = detail.claims.map((c): Child[] => {
    const extra =
      c.expected !== undefined
        ? el('span', { class: c.ok ? 'ok' : 'bad' }, `${c.ok ? '✓' : '✗'} expected ${c.expected}`)
        : c.epochSeconds !== undefined
          ? el(
              'span',
              { class: c.name === 'exp' && c.epochSeconds * 1000 < now ? 'bad' : '' },
              relativeTime(c.epochSeconds, now),
            )
          : '';
    return [c.name, c.value, extra];
  });
  return section(
    'Token claims',
    'claims',
    facts,
    table(
      [
        'claim',
        'value',
        detail.expectedAudienceSource ? `check (audience from ${detail.expectedAudienceSource})` : 'check',
      ],
      rows,
      'claims-table',
    ),
  );
}

function envelopesSection(detail: SessionDetail): HTMLElement | undefined {
  const e = detail.envelopes;
  if (e.note === 'not a telemetry request' && !e.unmatchedErrors.length) return undefined;
  const rows = e.rows.map((r) => {
    const result = r.error
      ? el('span', { class: 'bad' }, `${r.error.statusCode ?? 'error'}: ${r.error.message ?? ''}`)
      : el('span', { class: 'muted' }, 'no error reported');
    return [String(r.index), r.type, r.name, r.time, r.iKey, result];
  });
  const tableEl = table(['#', 'type', 'name', 'time', 'iKey', 'service said'], rows, 'envelopes-table');
  e.rows.forEach((r, i) => {
    if (r.error) tableEl.tBodies[0]?.rows[i]?.classList.add('failed');
  });
  return section(
    `Telemetry envelopes (${e.total}${e.rows.length < e.total ? `, first ${e.rows.length} shown` : ''}, ${e.shape})`,
    'envelopes',
    e.note ? el('p', { class: 'muted' }, e.note) : '',
    e.rows.length ? tableEl : '',
    e.unmatchedErrors.length
      ? el(
          'div',
          { class: 'unmatched' },
          el('h4', {}, 'Per-item errors not matched to an envelope shown'),
          list(
            e.unmatchedErrors.map((x) => `index ${x.index ?? '?'}: ${x.statusCode ?? ''} ${x.message ?? ''}`),
          ),
        )
      : '',
  );
}

function bodyBlock(title: string, body: BodyCapture | undefined): HTMLElement {
  if (!body)
    return el('div', { class: 'body' }, el('h4', {}, title), el('p', { class: 'muted' }, 'no response'));
  const facts = [`${body.size} bytes`];
  if (body.contentEncoding) facts.push(body.contentEncoding);
  if (body.decodedSize !== undefined) facts.push(`${body.decodedSize} decoded`);
  if (body.truncated || body.decodedTruncated) facts.push(`cut at ${body.captured} bytes`);
  if (body.decodeError) facts.push(`decode error: ${body.decodeError}`);
  const content =
    body.text !== undefined
      ? el('pre', { class: 'body-text' }, body.text)
      : body.base64 !== undefined
        ? el('pre', { class: 'body-text' }, `(binary, base64) ${body.base64}`)
        : el(
            'p',
            { class: 'muted' },
            body.omitted === 'healthy'
              ? 'not kept: the log keeps bodies of failures only (--log-bodies all)'
              : body.omitted === 'off'
                ? 'not kept: the proxy ran with --log-bodies none'
                : body.omitted === 'sampled'
                  ? 'not decoded (beyond the decode budget)'
                  : body.omitted === 'repeated'
                    ? 'not kept: a repeat of a failure the log showed with its body this minute'
                    : body.size
                      ? 'not captured'
                      : 'empty',
          );
  return el('div', { class: 'body' }, el('h4', {}, `${title} (${facts.join(', ')})`), content);
}

export function renderSession(
  target: HTMLElement,
  payload: SessionPayload,
  onCopyCurl: (text: string) => void,
): void {
  clear(target);
  const { exchange, analysis } = payload.record;
  const { detail } = payload;
  const now = Date.now();
  const req = exchange.request;
  const res = exchange.response;
  const statusLine = res
    ? `${res.status} ${res.reason}`
    : exchange.error
      ? `${exchange.error.kind}: ${exchange.error.message}`
      : 'no response';
  target.appendChild(
    el(
      'div',
      { class: 'pane-head' },
      el('div', { class: 'request-line' }, `${req.method} ${req.url} HTTP/${req.httpVersion}`),
      el('div', { class: `status-line ${res && res.status < 400 ? 'ok' : 'bad'}` }, '→ ', statusLine),
      exchange.error?.alert
        ? el('div', { class: 'bad' }, `TLS alert from the client: ${exchange.error.alert}`)
        : '',
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'copy-curl' }, 'Copy as curl'),
        el('span', { class: 'muted' }, ' token replaced by $TOKEN'),
      ),
    ),
  );
  target.querySelector('.copy-curl')?.addEventListener('click', () => onCopyCurl(detail.curl));
  if (detail.findings.length)
    target.appendChild(
      section(`Findings (${detail.findings.length})`, 'findings', ...detail.findings.map(findingBlock)),
    );
  target.appendChild(claimsSection(detail, exchange, now));
  const envelopes = envelopesSection(detail);
  if (envelopes) target.appendChild(envelopes);
  target.appendChild(
    section(
      'Request headers (redacted as in the log)',
      'request-headers',
      table(
        ['name', 'value'],
        headerEntries(req.headers).map(([n, v]) => [n, v]),
      ),
    ),
  );
  if (res)
    target.appendChild(
      section(
        'Response headers',
        'response-headers',
        table(
          ['name', 'value'],
          headerEntries(res.headers).map(([n, v]) => [n, v]),
        ),
      ),
    );
  target.appendChild(
    section(
      'Bodies (as the log keeps them)',
      'bodies',
      bodyBlock('Request body', req.body),
      bodyBlock('Response body', res?.body),
    ),
  );
  const t = exchange.timings;
  target.appendChild(
    section(
      'Timing and connection',
      'timing',
      table(
        ['', ''],
        [
          ['started', exchange.startedAt],
          ['to response headers', t.ttfb !== undefined ? `${t.ttfb} ms` : '—'],
          ['total', t.total !== undefined ? `${t.total} ms` : '—'],
          ['client', `${exchange.client.address}${exchange.client.port ? `:${exchange.client.port}` : ''}`],
          [
            'tunnel',
            exchange.connect ? `CONNECT ${exchange.connect.target}` : 'none (absolute-form request)',
          ],
          [
            'upstream',
            exchange.upstream
              ? `${exchange.upstream.address}${exchange.upstream.viaProxy ? ` via ${exchange.upstream.viaProxy}` : ''}`
              : '—',
          ],
          ['runtime detected', analysis?.sdk ?? 'unknown'],
          ['kind', analysis?.kind ?? '—'],
        ],
      ),
    ),
  );
  target.appendChild(
    section(
      'Curl',
      'curl',
      el(
        'details',
        {},
        el('summary', {}, 'Show the command'),
        el('pre', { class: 'curl-text' }, detail.curl),
      ),
    ),
  );
}
