import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { ConnectionString } from '../ingestion/connection-string';
import { UsageError } from '../model/usage-error';
import type { LocalRoute } from '../proxy/local-endpoints';
import type { ExchangeSink, LogBodies } from '../sinks/exchange-sink';
import { liveInspector } from './live-inspector';
import { pageUrl, uiDecision } from './ui-decision';

/** `start --ui, --ui-history`: what the wiring passes in. */
export interface InspectorFlags {
  ui?: boolean;
  history?: number;
  historyBytes?: number;
}

export interface ProxyInspector {
  sinks: ExchangeSink[];
  routes: LocalRoute[];
  /** The banner line: the page's URL, or why it is off. */
  announce(address: { host: string; port: number }, logger: Logger): void;
}

/** Bad flags are refused before the proxy starts anything. */
export function checkInspectorFlags(flags: InspectorFlags): void {
  if (flags.history !== undefined && (!Number.isInteger(flags.history) || flags.history < 1))
    throw new UsageError('--ui-history takes a whole number of exchanges (1 or more)');
}

/** The inspector of a running proxy, decided from the flags and where the proxy listens. */
export function proxyInspector(
  flags: InspectorFlags,
  proxy: {
    host: string;
    proxyAuth?: string;
    logBodies?: LogBodies;
    connectionStrings: ConnectionString[];
    caCertPath: string;
  },
): ProxyInspector {
  checkInspectorFlags(flags);
  const decision = uiDecision(flags.ui, proxy.host, proxy.proxyAuth);
  const page = decision.enabled
    ? liveInspector({
        title: proxy.host,
        historySize: flags.history,
        historyBytes: flags.historyBytes,
        logBodies: proxy.logBodies,
        connectionStrings: proxy.connectionStrings,
        caCertPath: proxy.caCertPath,
        credentials: proxy.proxyAuth,
        ownNames: isIP(proxy.host) ? [] : [proxy.host.toLowerCase()],
      })
    : undefined;
  return {
    sinks: page ? [page.sink] : [],
    routes: page ? [page.route] : [],
    announce(address, logger) {
      if (page) {
        page.source.title = `${address.host}:${address.port}`;
        const url = pageUrl(address.host, address.port);
        logger.info(
          { inspector: url },
          `inspector page: ${url}${decision.note ? ` (${decision.note})` : ''}`,
        );
      } else if (decision.note) logger.warn({ inspector: null }, decision.note);
    },
  };
}
