/**
 * A request's deadline and budget, shared by the gateway and the subgraphs.
 *
 * Each HTTP request gets one `RequestDeadline`: a time budget (the gateway's REQUEST_TIMEOUT_MS;
 * in a subgraph the smaller of the caller's `X-Deadline-Ms` and its own SUBGRAPH_REQUEST_TIMEOUT_MS)
 * and, in a subgraph, a cap on the fields resolved (MAX_RESPONSE_FIELDS). When the time runs out,
 * the caller disconnects or the cap is passed, the request is *stopped*: its `signal` aborts (the
 * gateway's subgraph fetches and the subgraph's running SQL statements are cancelled), every field
 * resolved after that throws at once, no new statement is sent, and the subgraph answers with the
 * stop's error instead of data (nothing is written to the disclosure log for it).
 *
 * The deadline travels to subgraphs as the *remaining* milliseconds (`X-Deadline-Ms`), not as a
 * time of day: the machines' clocks need not agree.
 *
 * The request's work runs inside `requestScope`, so code far from the GraphQL context (the `pg`
 * client that cancels statements, the gateway's fetcher) finds the request it works for.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError } from 'graphql';

/** Milliseconds left of the caller's deadline; the gateway sets it on every subgraph fetch. */
export const DEADLINE_HEADER = 'x-deadline-ms';

export type StopCode = 'DEADLINE_EXCEEDED' | 'RESPONSE_TOO_LARGE' | 'REQUEST_CANCELLED';

export class RequestDeadline {
  private readonly controller = new AbortController();
  /** Aborts (with the stop's GraphQLError as reason) when the request is stopped. */
  readonly signal: AbortSignal = this.controller.signal;
  readonly expiresAt: number;
  /** Fields resolved so far. */
  fields = 0;
  /** The stop's error, once stopped. */
  stopped: GraphQLError | undefined;
  /** `fields` may not pass this; -1 once stopped, so that every later field throws. */
  private limit: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly budgetMs: number,
    readonly maxFields: number = Number.MAX_SAFE_INTEGER,
  ) {
    this.expiresAt = Date.now() + budgetMs;
    this.limit = maxFields;
    this.timer = setTimeout(
      () => this.stop('DEADLINE_EXCEEDED', `The request did not finish within its deadline of ${budgetMs} ms; its work was stopped.`),
      budgetMs,
    );
    this.timer.unref();
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  /**
   * Counts one resolved field; throws once the request is stopped or the field cap is passed.
   * Called for every field: one increment and one comparison on the common path.
   */
  spend(): void {
    if (++this.fields > this.limit) throw this.refusal();
  }

  private refusal(): GraphQLError {
    if (!this.stopped) {
      this.stop('RESPONSE_TOO_LARGE', `The response would hold more than ${this.maxFields} fields (MAX_RESPONSE_FIELDS); it was refused rather than built. Ask for fewer records or fields.`);
    }
    return this.stopped!;
  }

  /** Stops the request's work (once; later calls keep the first reason). */
  stop(code: StopCode, message: string): void {
    if (this.stopped) return;
    this.stopped = new GraphQLError(message, { extensions: { code } });
    this.limit = -1;
    clearTimeout(this.timer);
    this.controller.abort(this.stopped);
  }

  /** The response has gone: the timer is no longer needed. */
  finish(): void {
    clearTimeout(this.timer);
  }
}

export const requestScope = new AsyncLocalStorage<RequestDeadline>();

/** The deadline of the request the calling code works for, if any. */
export function currentDeadline(): RequestDeadline | undefined {
  return requestScope.getStore();
}

/**
 * A subgraph's budget for a request: the caller's remaining milliseconds (`X-Deadline-Ms`), but
 * never more than the subgraph's own maximum; without a valid header, the maximum.
 */
export function budgetFromHeader(header: string | string[] | undefined, maxMs: number): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^\d{1,10}$/.test(raw.trim())) return maxMs;
  return Math.min(Number(raw.trim()), maxMs);
}
