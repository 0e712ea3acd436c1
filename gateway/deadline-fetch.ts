/**
 * How the gateway fetches from a subgraph: within the request's deadline and a byte cap.
 *
 * - Each fetch carries `X-Deadline-Ms`, the request's *remaining* budget (at most
 *   SUBGRAPH_TIMEOUT_MS), so the subgraph stops its work when the gateway stops waiting.
 * - The fetch is aborted when the request is stopped (REQUEST_TIMEOUT_MS passed, or the client
 *   disconnected) or after SUBGRAPH_TIMEOUT_MS, whichever comes first. Aborting closes the
 *   connection, which the subgraph sees as its caller leaving: it stops too.
 * - The response body is read up to MAX_SUBGRAPH_RESPONSE_BYTES; past that the fetch is aborted
 *   and the subgraph's part fails with RESPONSE_TOO_LARGE, rather than being buffered whole.
 */
import { GraphQLError } from 'graphql';
import { ServiceName } from '../lib/config';
import { HealthReport } from '../lib/http-server';
import { DEADLINE_HEADER, RequestDeadline } from '../lib/request-deadline';

/**
 * The deadlines of the requests in flight, by the gateway's request id (a UUID it generated):
 * the fetcher finds its request's deadline by the X-Request-Id it sends.
 */
const inFlight = new Map<string, RequestDeadline>();

export function registerDeadline(requestId: string, deadline: RequestDeadline): void {
  inFlight.set(requestId, deadline);
  deadline.onFinish(() => inFlight.delete(requestId));
}

export interface DeadlineFetchOptions {
  timeoutMs: number;
  maxResponseBytes: number;
}

function tooLarge(maxBytes: number): GraphQLError {
  return new GraphQLError(`subgraph response larger than ${maxBytes} bytes`, { extensions: { code: 'RESPONSE_TOO_LARGE' } });
}

async function readCapped(response: Response, maxBytes: number, abort: AbortController): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    abort.abort(tooLarge(maxBytes));
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      abort.abort(tooLarge(maxBytes));
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export function deadlineFetch(options: DeadlineFetchOptions): typeof fetch {
  return async (input, init) => {
    const requestId = (init?.headers as Record<string, string> | undefined)?.['x-request-id'];
    const deadline = requestId === undefined ? undefined : inFlight.get(requestId);
    if (deadline?.stopped) throw deadline.stopped;
    const budget = Math.min(options.timeoutMs, deadline ? deadline.remainingMs() : options.timeoutMs);
    const own = new AbortController();
    const signals = [own.signal, AbortSignal.timeout(options.timeoutMs)];
    if (deadline) signals.push(deadline.signal);
    const signal = AbortSignal.any(signals);
    const headers = { ...(init?.headers as Record<string, string> | undefined), [DEADLINE_HEADER]: String(budget) };
    try {
      const response = await fetch(input, { ...init, headers, signal });
      const body = await readCapped(response, options.maxResponseBytes, own);
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      // Aborted by the request's stop, or by the cap: say which (the data source maps the code).
      if (signal.aborted && signal.reason instanceof GraphQLError) throw signal.reason;
      throw error;
    }
  };
}

/** The gateway is ready when every subgraph says it is (`/ready`, within 2 s). */
export async function subgraphReadiness(urls: Record<ServiceName, string>, timeoutMs = 2_000): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([agency, url]) => {
      try {
        const response = await fetch(url.replace(/\/graphql$/, '/ready'), { signal: AbortSignal.timeout(timeoutMs) });
        await response.arrayBuffer();
        return [agency, response.ok ? 'ready' : 'unavailable'] as const;
      } catch {
        return [agency, 'unavailable'] as const;
      }
    }),
  );
  const subgraphs = Object.fromEntries(entries);
  const ok = entries.every(([, state]) => state === 'ready');
  return { status: ok ? 'ok' : 'unavailable', service: 'gateway', subgraphs };
}
