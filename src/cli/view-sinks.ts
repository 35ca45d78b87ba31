import type { Writable } from 'node:stream';
import type { ExchangeSink, LogBodies } from '../sinks/exchange-sink';
import { HarFileSink } from '../sinks/har-sink';
import { prettyDestination } from '../sinks/pretty-destination';
import { wantsColour } from '../sinks/pretty-stream';
import { SummarySink } from '../sinks/summary-sink';

/** The flags of `start` that choose what people see: the readable view, a HAR file, the summary. */
export interface ViewFlags {
  har?: string;
  'only-findings'?: boolean;
  color?: boolean;
  summary?: boolean;
  /** The HAR keeps bodies exactly as the log does. */
  'log-bodies'?: LogBodies;
}

/** Extra sinks and the pretty stream for runProxy, from the view flags of `start`. */
export function viewSinks(flags: ViewFlags): { sinks: ExchangeSink[]; prettyStream: () => Writable } {
  const sinks: ExchangeSink[] = [];
  if (flags.har) sinks.push(new HarFileSink(flags.har, flags['log-bodies'] ?? 'failures'));
  if (flags.summary !== false) sinks.push(new SummarySink(process.stderr));
  const prettyStream = () =>
    prettyDestination(process.stdout, {
      color: wantsColour(process.stdout, flags.color),
      onlyFindings: Boolean(flags['only-findings']),
    });
  return { sinks, prettyStream };
}
