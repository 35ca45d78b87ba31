import type { IncomingHttpHeaders } from 'node:http';
import type { ExchangeError } from '../model/exchange';
import { BodyTap } from './body-tap';
import { headersWithRepeats } from './headers-as-sent';
import { type LiveExchange, type LiveOpening, type LiveResponse, liveExchange } from './live-exchange';

/** What a capture needs from outside: passed in, so it is tested without sockets. */
export interface CaptureDeps {
  /** Bytes of each body kept at most (the rest is only counted). */
  readonly maxCaptureBytes: number;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  /** Takes the finished record (the pipeline; it records and analyses off the relay's path). */
  readonly deliver: (live: LiveExchange) => void;
}

/** The upstream's response head as the relay sees it (a subset of IncomingMessage). */
export interface ResponseHead {
  readonly statusCode?: number;
  readonly statusMessage?: string;
  readonly httpVersion: string;
  readonly headers: IncomingHttpHeaders;
  /** The header lines as received, when known: repeats Node's `headers` keeps only once. */
  readonly rawHeaders?: readonly string[];
}

const CLIENT_ABORTED: ExchangeError = {
  kind: 'CLIENT_ABORTED',
  message: 'the client closed the connection before the exchange ended',
};

/**
 * Capture of one intercepted exchange, a small state machine: open (request bytes counted and
 * the first `maxCaptureBytes` copied) → responding (response head noted, its bytes tapped) →
 * finished (the live record is built once and delivered once). Only listens: it never touches
 * the bytes the relay forwards. Memory is bounded by two taps of at most `maxCaptureBytes`.
 */
export class ExchangeCapture {
  readonly start: number;
  private readonly requestBody: BodyTap;
  private response?: LiveResponse;
  private responseBody?: BodyTap;
  private error?: ExchangeError;
  private aborted = false;
  private finished = false;

  constructor(
    readonly id: string,
    private readonly opening: LiveOpening,
    private readonly deps: CaptureDeps,
  ) {
    this.start = deps.now();
    this.requestBody = new BodyTap(deps.maxCaptureBytes);
  }

  get state(): 'open' | 'responding' | 'finished' {
    return this.finished ? 'finished' : this.response ? 'responding' : 'open';
  }

  /** A chunk of the request body went by. */
  requestData(chunk: Buffer): void {
    if (!this.finished) this.requestBody.push(chunk);
  }

  /** The upstream's response head arrived (first one wins). */
  responseStarted(head: ResponseHead): void {
    if (this.finished || this.response) return;
    this.response = {
      status: head.statusCode ?? 0,
      reason: head.statusMessage ?? '',
      httpVersion: head.httpVersion,
      // A copy: the relay replaces the original with the lines it forwards.
      headers: { ...headersWithRepeats(head.headers, head.rawHeaders ?? []) },
      at: this.deps.now(),
    };
    this.responseBody = new BodyTap(this.deps.maxCaptureBytes);
  }

  /** A chunk of the response body went by. */
  responseData(chunk: Buffer): void {
    if (!this.finished) this.responseBody?.push(chunk);
  }

  /** The exchange failed; the first failure is the one recorded. */
  failed(error: ExchangeError): void {
    if (!this.finished && !this.error) this.error = error;
  }

  /** The client went away before the exchange ended (recorded unless a failure came first). */
  clientAborted(): void {
    this.aborted = true;
  }

  /** The exchange is over: builds the live record and delivers it, once. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const error = this.error ?? (this.aborted ? CLIENT_ABORTED : undefined);
    this.deps.deliver(
      liveExchange(this.id, this.start, this.opening, {
        requestBody: this.requestBody,
        response: this.response,
        responseBody: this.responseBody,
        end: this.deps.now(),
        error,
      }),
    );
  }
}
