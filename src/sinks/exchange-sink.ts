import type { Logger } from 'pino';
import { redactedOutput, redactTextBeside } from '../ingestion/redact-output';
import type { Exchange } from '../model/exchange';
import type { Finding } from '../model/finding';
import type { Analysis, ExchangeLogLine } from '../model/log-line';
import type { TrafficLogLine } from '../model/traffic-line';
import { GuidanceOnce, type LogGuidance } from '../diagnosis/guidance-ref';
import { failureKind, RepeatBudget } from './repeat-budget';

/** The log level of an exchange: the worst finding, or the failure itself. */
export function levelOf(exchange: Exchange, findings: Finding[]): 'info' | 'warn' | 'error' {
  if (findings.some((f) => f.severity === 'error')) return 'error';
  if (exchange.error && exchange.error.kind !== 'CLIENT_ABORTED') return 'error';
  if (findings.some((f) => f.severity === 'warning')) return 'warn';
  return 'info';
}

/** Something that takes finished log lines: the annotated log, a HAR writer, the summary... */
export interface ExchangeSink {
  write(line: ExchangeLogLine): void;
  /** A finding across exchanges fired or cleared (src/diagnosis/traffic). */
  writeTraffic?(line: TrafficLogLine): void;
  close?(): Promise<void> | void;
}

/** Which exchanges keep their body text in the log: bodies make lines large, failures need them. */
export type LogBodies = 'failures' | 'all' | 'none';

export function withoutBodyText(
  exchange: Exchange,
  why: 'healthy' | 'off' | 'repeated' = 'healthy',
): Exchange {
  const strip = (body: Exchange['request']['body']) => {
    if (body.text === undefined && body.base64 === undefined) return body;
    const { text: _text, base64: _base64, ...rest } = body;
    return { ...rest, omitted: why };
  };
  return {
    ...exchange,
    request: { ...exchange.request, body: strip(exchange.request.body) },
    ...(exchange.response ? { response: { ...exchange.response, body: strip(exchange.response.body) } } : {}),
  };
}

/**
 * The line as an output keeps it: body text only for the exchanges `--log-bodies` says. With
 * `failures` and a `repeats` budget, a failure of a kind already shown often this minute keeps
 * sizes only.
 */
export function withBodiesPolicy(
  line: ExchangeLogLine,
  bodies: LogBodies,
  repeats?: RepeatBudget,
): ExchangeLogLine {
  if (bodies === 'all') return line;
  const failure = bodies === 'failures' && levelOf(line.exchange, line.findings) !== 'info';
  // With `none` a failure loses its body too: saying "healthy" there misled the reader of a 401.
  if (!failure)
    return { ...line, exchange: withoutBodyText(line.exchange, bodies === 'none' ? 'off' : 'healthy') };
  if (!repeats || !hasBodyText(line.exchange)) return line;
  return repeats.take(failureKind(line.exchange, line.findings))
    ? line
    : { ...line, exchange: withoutBodyText(line.exchange, 'repeated') };
}

function hasBodyText(exchange: Exchange): boolean {
  const kept = (b: Exchange['request']['body'] | undefined) =>
    b?.text !== undefined || b?.base64 !== undefined;
  return kept(exchange.request.body) || kept(exchange.response?.body);
}

/** The masked record the log wrote for a line (the same line object every sink is given). */
export interface LoggedRecord {
  bodies: LogBodies;
  record: Pick<ExchangeLogLine, 'exchange' | 'analysis' | 'interruptedByShutdown'> & {
    findings: ReturnType<GuidanceOnce['findings']>;
  };
}

const LOGGED = new WeakMap<ExchangeLogLine, LoggedRecord>();

/** What the log wrote for this line, if the log sink has seen it (weak: gone with the line). */
export function loggedRecordOf(line: ExchangeLogLine): LoggedRecord | undefined {
  return LOGGED.get(line);
}

/**
 * The line with the bodies the log kept for it: another output (the HAR) follows the log's
 * decision on a repeated failure instead of making its own.
 */
export function withBodiesAsLogged(line: ExchangeLogLine, bodies: LogBodies): ExchangeLogLine {
  const logged = loggedRecordOf(line);
  const repeated =
    logged?.bodies === bodies &&
    (logged.record.exchange.request.body.omitted === 'repeated' ||
      logged.record.exchange.response?.body.omitted === 'repeated');
  return repeated
    ? { ...line, exchange: withoutBodyText(line.exchange, 'repeated') }
    : withBodiesPolicy(line, bodies);
}

/**
 * The annotated log: one pino line per exchange with `exchange`, `analysis` and `findings`.
 * By default only exchanges that went wrong carry their (redacted) bodies; healthy traffic keeps
 * sizes and the analysis' summary, so a busy app's log stays small. A finding's guidance is
 * written in full the first time, then as a reference to its catalog entry (`--log-guidance`).
 */
export function logSink(
  logger: Logger,
  bodies: LogBodies = 'failures',
  guidance: LogGuidance = 'first',
): ExchangeSink {
  const once = new GuidanceOnce(guidance);
  const repeats = new RepeatBudget();
  return {
    write(line) {
      const level = levelOf(line.exchange, line.findings);
      const payload: {
        exchange: Exchange;
        analysis?: Analysis;
        findings: ReturnType<GuidanceOnce['findings']>;
        interruptedByShutdown?: boolean;
      } = {
        exchange: withBodiesPolicy(line, bodies, repeats).exchange,
        findings: once.findings(line.findings),
      };
      if (line.analysis) payload.analysis = line.analysis;
      if (line.interruptedByShutdown) payload.interruptedByShutdown = true;
      // Masked here once (the logger's hook skips it), and kept for the page's sink, which
      // shows the same record: one redaction per exchange instead of two.
      const record = redactedOutput(payload);
      LOGGED.set(line, { bodies, record });
      // Cut short by our own shutdown: a notice, not an error of the app or the network.
      // the message with the record's keys: alone, a key in its path is just a GUID
      logger[line.interruptedByShutdown && level === 'error' ? 'warn' : level](
        record,
        redactTextBeside(line.msg, record),
      );
    },
  };
}
