import type { IncomingHttpHeaders } from 'node:http';
import type { ExchangeError, Scope } from '../model/exchange';
import type { BodyTap } from './body-tap';
import type { HostPort } from './connect-target';

/** What the relay notes about one exchange while it happens: raw, cheap, mutable, never logged. */
export interface LiveExchange {
  id: string;
  start: number;
  client: { address: string; port?: number };
  connect?: { target: string; httpVersion: string };
  scope: Scope;
  method: string;
  /** Where the request goes: scheme, host, port and path-with-query (unredacted until recorded). */
  scheme: 'https' | 'http';
  target: HostPort;
  path: string;
  httpVersion: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody?: BodyTap;
  response?: {
    status: number;
    reason: string;
    httpVersion: string;
    headers: IncomingHttpHeaders;
    at: number;
  };
  responseBody?: BodyTap;
  end?: number;
  error?: ExchangeError;
  upstream?: { address: string; viaProxy?: string };
}

let counter = 0;
const prefix = Math.floor(Math.random() * 36 ** 4)
  .toString(36)
  .padStart(4, '0');

/** Short, unique within a run, sortable by arrival. */
export function nextExchangeId(): string {
  counter += 1;
  return `${prefix}-${counter.toString(36).padStart(5, '0')}`;
}
