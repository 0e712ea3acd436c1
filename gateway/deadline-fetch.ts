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
import http from 'node:http';
import https from 'node:https';
import { GraphQLError } from 'graphql';
import type { FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
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

/** What a fetch that took longer than SUBGRAPH_TIMEOUT_MS throws (named as AbortSignal.timeout names it). */
function timedOut(timeoutMs: number): Error {
  const error = new Error(`no answer within ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}

/**
 * Connections to the subgraphs are kept open and reused (HTTP/1.1 keep-alive), a pool per
 * subgraph origin: no TCP handshake per fetch.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64, scheduling: 'lifo' }),
};

/** A subgraph's answer, read whole (and capped): what RemoteGraphQLDataSource reads of a fetch response. */
class SubgraphResponse {
  readonly ok: boolean;
  readonly redirected = false;
  readonly type = 'basic';
  readonly headers: { get(name: string): string | null; has(name: string): boolean; forEach(cb: (value: string, name: string) => void): void };

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    private readonly raw: http.IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (name) => {
        const value = raw[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
      has: (name) => raw[name.toLowerCase()] !== undefined,
      forEach: (cb) => {
        for (const [name, value] of Object.entries(raw)) if (value !== undefined) cb(Array.isArray(value) ? value.join(', ') : value, name);
      },
    };
  }

  async text(): Promise<string> {
    return this.body.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer;
  }

  clone(): SubgraphResponse {
    return new SubgraphResponse(this.url, this.status, this.statusText, this.raw, this.body);
  }
}

/** Who is told of each subgraph request sent (bench/shield-overhead.ts records the operations). */
const observers: ((url: string, body: string | undefined) => void)[] = [];
export function observeSubgraphRequests(observer: (url: string, body: string | undefined) => void): () => void {
  observers.push(observer);
  return () => observers.splice(observers.indexOf(observer), 1);
}

const parsedUrls = new Map<string, URL>();

/**
 * A fetcher for RemoteGraphQLDataSource on node:http with a keep-alive pool, without the WHATWG
 * fetch's request, response, header and stream objects (a quarter of the gateway's CPU on a
 * caseload when it used `fetch`).
 */
export function deadlineFetch(options: DeadlineFetchOptions): (url: string, init?: FetcherRequestInit) => Promise<FetcherResponse> {
  return (input, init) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const given = (init?.headers ?? {}) as Record<string, string>;
      const requestId = given['x-request-id'];
      const deadline = requestId === undefined ? undefined : inFlight.get(requestId);
      if (deadline?.stopped) return reject(deadline.stopped);
      const budget = Math.min(options.timeoutMs, deadline ? deadline.remainingMs() : options.timeoutMs);
      const body = init?.body === undefined || init.body === null ? undefined : String(init.body);
      for (const observer of observers) observer(input, body);
      let url = parsedUrls.get(input);
      if (!url) parsedUrls.set(input, (url = new URL(input)));
      const headers: http.OutgoingHttpHeaders = { ...given, [DEADLINE_HEADER]: String(budget) };
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      let settled = false;
      let request: http.ClientRequest | undefined;
      const stop = () => fail(deadline!.stopped!);
      const timer = setTimeout(() => fail(timedOut(options.timeoutMs)), options.timeoutMs);
      deadline?.signal.addEventListener('abort', stop, { once: true });
      function done(): boolean {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        deadline?.signal.removeEventListener('abort', stop);
        return true;
      }
      // Aborting closes the connection: the subgraph sees its caller leave and stops.
      function fail(error: unknown) {
        if (!done()) return;
        request?.destroy();
        reject(error);
      }
      const transport = url.protocol === 'https:' ? https : http;
      request = transport.request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: init?.method ?? 'GET',
          headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
        },
        (response) => {
          const declared = Number(response.headers['content-length'] ?? NaN);
          if (declared > options.maxResponseBytes) return fail(tooLarge(options.maxResponseBytes));
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > options.maxResponseBytes) return fail(tooLarge(options.maxResponseBytes));
            chunks.push(chunk);
          });
          response.on('error', fail);
          response.on('aborted', () => fail(new Error('the subgraph closed the connection mid-answer')));
          response.on('end', () => {
            if (!done()) return;
            const text = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
            resolve(new SubgraphResponse(input, response.statusCode ?? 0, response.statusMessage ?? '', response.headers, text) as unknown as FetcherResponse);
          });
        },
      );
      request.on('error', fail);
      request.end(body);
    });
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
