import type { Report } from '../../src/sinks/report';
import { clear, el } from './dom';
import { prose } from './session-pane';

/** The `report` verdict, counts by status and the next steps, on top of the page. */
export function renderVerdict(target: HTMLElement, report: Report): void {
  clear(target);
  const t = report.telemetry;
  target.className = `verdict verdict-${report.verdict.kind}`;
  target.appendChild(el('div', { class: 'verdict-text' }, report.verdict.text));
  target.appendChild(
    el(
      'div',
      { class: 'verdict-counts' },
      `${report.exchanges.total} exchanges · ${t.trackRequests} track requests, ${t.trackAccepted} accepted · ${t.itemsSent} items sent, ${t.itemsAccepted} accepted · `,
      ...Object.entries(report.exchanges.byStatus).map(([status, count]) =>
        el('span', { class: 'status-count' }, `${status} ×${count}`),
      ),
    ),
  );
  if (report.nextSteps.length)
    target.appendChild(
      el(
        'details',
        { class: 'next-steps' },
        el('summary', {}, `Next steps, in order (${report.nextSteps.length})`),
        el(
          'ol',
          {},
          ...report.nextSteps.map((s) =>
            el(
              'li',
              {},
              el('strong', {}, s.id),
              ` ×${s.count}: ${s.title}`,
              el('ul', {}, ...s.fix.map((f) => el('li', {}, prose(f)))),
            ),
          ),
        ),
      ),
    );
}
