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

 */
import { GraphQLError } from 'graphql';

/** Milliseconds left of the caller's deadline; the gateway sets it on every subgraph fetch. */
export const DEADLINE_HEADER = 'x-deadline-ms';

/** Fields resolved between two looks at the clock. */
const CHECK_EVERY = 1024;
/** Longest stretch of resolving (ms) before a request lets the event loop turn. */
const TURN_EVERY_MS = 50;

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
  /** `spend` looks closer (stop, cap, clock) when `fields` reaches this; 0 once stopped or while waiting for a turn. */
  private nextCheck: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly budgetMs: number,
    readonly maxFields: number = Number.MAX_SAFE_INTEGER,
  ) {
    this.expiresAt = Date.now() + budgetMs;
    this.nextCheck = Math.min(CHECK_EVERY, maxFields + 1);
    this.timer = setTimeout(() => this.expire(), budgetMs);
    this.timer.unref();
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  /**
   * Counts one resolved field. `false`: resolve it. `true`: the request is stopped (deadline,
   * caller gone, field cap) and the field must not be resolved (answer `ABANDONED`). A promise:
   * resolve the field once it settles — the request is letting the event loop turn.
   *
   * Called for every field: an increment and a comparison. Every CHECK_EVERY fields it reads the
   * clock: past the deadline it stops the request (resolving from cached loads runs as promise
   * jobs only, which would keep the deadline's timer from firing), and after TURN_EVERY_MS of
   * resolving it holds every field until the event loop has turned once, so that the caller's
   * disconnect is seen and other requests are served while a large response is built.
   */
  spend(): boolean | Promise<void> {
    return ++this.fields >= this.nextCheck && this.check();
  }

  private turn: Promise<void> | undefined;
  private lastTurn = Date.now();
  private readonly turnListeners: ((turn: Promise<void>) => void)[] = [];

  /** Told of each turn the request waits for (the loader batches count it as a running read). */
  onTurn(listener: (turn: Promise<void>) => void): void {
    this.turnListeners.push(listener);
  }

  private check(): boolean | Promise<void> {
    if (this.stopped) return true;
    if (this.turn) return this.turn;
    if (this.fields > this.maxFields) {
      this.stop('RESPONSE_TOO_LARGE', `The response would hold more than ${this.maxFields} fields (MAX_RESPONSE_FIELDS); it was refused rather than built. Ask for fewer records or fields.`);
      return true;
    }
    const now = Date.now();
    if (now >= this.expiresAt) {
      this.expire();
      return true;
    }
    if (now - this.lastTurn >= TURN_EVERY_MS) {
      // Every field waits for this turn (nextCheck stays at 0 until it has come).
      this.nextCheck = 0;
      const turn = new Promise<void>((resolve) =>
        setImmediate(() => {
          this.turn = undefined;
          this.lastTurn = Date.now();
          if (!this.stopped) this.nextCheck = Math.min(this.fields + CHECK_EVERY, this.maxFields + 1);
          resolve();
        }),
      );
      this.turn = turn;
      for (const listener of this.turnListeners) listener(turn);
      return turn;
    }
    this.nextCheck = Math.min(this.fields + CHECK_EVERY, this.maxFields + 1);
    return false;
  }

  private expire(): void {
    this.stop('DEADLINE_EXCEEDED', `The request did not finish within its deadline of ${this.budgetMs} ms; its work was stopped.`);
  }

  /** Stops the request's work (once; later calls keep the first reason). */
  stop(code: StopCode, message: string): void {
    if (this.stopped) return;
    this.stopped = new GraphQLError(message, { extensions: { code } });
    this.nextCheck = 0;
    clearTimeout(this.timer);
    this.controller.abort(this.stopped);
  }

  private readonly finishers: (() => void)[] = [];

  /** Runs `callback` when the request is over. */
  onFinish(callback: () => void): void {
    this.finishers.push(callback);
  }

  /** The response has gone (or the caller has): the timer is no longer needed. */
  finish(): void {
    clearTimeout(this.timer);
    for (const callback of this.finishers.splice(0)) callback();
  }
}

/**
 * What a stopped request's fields and loads answer: a promise that never settles. The execution is
 * abandoned where it stands — the HTTP front has already answered with the stop — and
 * garbage-collected, instead of being unwound field by field with an error (and a stack trace)
 * for each of possibly hundreds of thousands of pending fields.
 */
export const ABANDONED: Promise<never> = new Promise<never>(() => undefined);

/**
 * A subgraph's budget for a request: the caller's remaining milliseconds (`X-Deadline-Ms`), but
 * never more than the subgraph's own maximum; without a valid header, the maximum.
 */
export function budgetFromHeader(header: string | string[] | undefined, maxMs: number): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^\d{1,10}$/.test(raw.trim())) return maxMs;
  return Math.min(Number(raw.trim()), maxMs);
}
