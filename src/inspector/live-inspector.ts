import { redactForOutput } from '../ingestion/redact-output';
import type { ConnectionString } from '../ingestion/connection-string';
import type { ExchangeLogLine } from '../model/log-line';
import type { LocalRoute } from '../proxy/local-endpoints';
import {
  type ExchangeSink,
  type LogBodies,
  levelOf,
  loggedRecordOf,
  withoutBodyText,
} from '../sinks/exchange-sink';
import { withGuidanceRef } from '../diagnosis/guidance-ref';
import { type Report, ReportBuilder } from '../sinks/report';
import { type InspectorSource, inspectorRoute, snapshotOf } from './inspector-route';
import { DEFAULT_FEED_OPTIONS, type FeedOptions, SessionFeed } from './session-feed';
import { DEFAULT_UI_HISTORY, DEFAULT_UI_HISTORY_BYTES, SessionHistory } from './session-history';

export interface LiveInspectorOptions {
  title: string;
  historySize?: number;
  historyBytes?: number;
  /** The log's body policy: the page holds what the log holds. */
  logBodies?: LogBodies;
  connectionStrings?: ConnectionString[];
  caCertPath?: string;
  credentials?: string;
  pageDir?: string;
  ownNames?: string[];
  feed?: FeedOptions;
}

export interface LiveInspector {
  sink: ExchangeSink;
  route: LocalRoute;
  source: InspectorSource;
}

/**
 * The page of a running proxy: a sink that keeps the last exchanges (as the log records them)
 * and the `report` verdict over everything since start (or the last clear), and the route that
 * serves them.
 */
export function liveInspector(options: LiveInspectorOptions): LiveInspector {
  const history = new SessionHistory(
    options.historySize ?? DEFAULT_UI_HISTORY,
    options.historyBytes ?? DEFAULT_UI_HISTORY_BYTES,
  );
  const bodies = options.logBodies ?? 'failures';
  let builder = new ReportBuilder();
  let report: Report | undefined;
  const currentReport = () => (report ??= builder.result());
  let reportSent: Report | undefined;
  const source: InspectorSource = {
    mode: 'live',
    title: options.title,
    history,
    report: currentReport,
    detailContext: { connectionStrings: options.connectionStrings, caCertPath: options.caCertPath },
    feed: new SessionFeed(
      {
        snapshot: () => snapshotOf(source),
        extras: () => {
          const now = currentReport();
          if (now === reportSent) return { firstSeq: history.firstSeq };
          reportSent = now;
          return { report: now, firstSeq: history.firstSeq };
        },
      },
      options.feed ?? DEFAULT_FEED_OPTIONS,
    ),
    clear() {
      history.clear();
      builder = new ReportBuilder();
      report = undefined;
      source.feed.reset();
    },
  };
  const sink: ExchangeSink = {
    write(line: ExchangeLogLine) {
      const level = levelOf(line.exchange, line.findings);
      const keep = bodies === 'all' || (bodies === 'failures' && level !== 'info');
      // The page shows what the log shows: the record the log wrote when there is one (masked
      // once, by the same output redaction), else masked here.
      const logged = loggedRecordOf(line);
      const kept: ExchangeLogLine =
        logged && logged.bodies === bodies
          ? ({ ...logged.record, msg: redactForOutput(line.msg) } as ExchangeLogLine)
          : redactForOutput({
              ...line,
              exchange: keep ? line.exchange : withoutBodyText(line.exchange),
              findings: line.findings.map(withGuidanceRef) as ExchangeLogLine['findings'],
            });
      const stored = history.add(kept);
      builder.addRecord({ ...kept, level, time: line.exchange.startedAt });
      report = undefined;
      source.feed.push(stored.row);
    },
    close() {
      source.feed.close();
    },
  };
  return {
    sink,
    source,
    route: inspectorRoute(source, {
      credentials: options.credentials,
      pageDir: options.pageDir,
      ownNames: options.ownNames,
    }),
  };
}
