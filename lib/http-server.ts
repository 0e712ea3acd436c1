/**
 * A small node:http front for Apollo Server 5: `/graphql`, `/health` (liveness), `/ready`
 * (readiness), a bounded request body, nothing else. Each GraphQL request runs under its own
 * `RequestDeadline` (lib/request-deadline.ts), stopped when its time runs out or its caller
 * disconnects. `close(graceMs)` drains: no new requests, those in flight get `graceMs` to finish. (Apollo Server 5 ships no HTTP framework of its own besides the standalone one,
 * which has no room for a health route.)
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import net, { AddressInfo } from 'node:net';
import { ApolloServer, BaseContext, HeaderMap } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { RequestDeadline } from './request-deadline';

/** Request bodies above this get 413, as Apollo Router does. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  [detail: string]: unknown;
}

export interface ServeOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  context: (request: http.IncomingMessage, deadline: RequestDeadline) => Promise<C>;
  health: () => Promise<HealthReport>;
  /** Whether the service can serve (its database; the gateway's subgraphs). Defaults to `health`. */
  ready?: () => Promise<HealthReport>;
  /** The deadline (and field budget) of a request, from its headers and the server's settings. */
  deadline: (request: http.IncomingMessage) => RequestDeadline;
  /**
   * Answer with the stop's error as soon as a request is stopped, abandoning its execution (a
   * subgraph: its loads never settle and it is garbage-collected). Without it the execution's own
   * result is awaited (the gateway: its aborted fetches end it promptly, with what arrived).
   */
  answerWhenStopped?: boolean;
  host: string;
  port: number;
  /**
   * Looks at a request's GraphQL body (POST) or query string (GET) before Apollo does anything
   * with it; an error it returns is answered at once with HTTP 400 (the operation limits).
   */
  screen?: (request: { body: unknown; search: URLSearchParams }) => GraphQLFormattedError | undefined;
  /** More routes (the gateway's development tools), asked in order before answering 404. */
  routes?: Route[];
}

/**
 * A route of its own: answers a request it serves (the returned promise settles when it has
 * answered; an `HttpError` it rejects with is answered with its status), or returns undefined.
 */
export type Route = (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => Promise<void> | undefined;

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Stops taking requests (new connections are refused, new requests on open connections get
   * 503), lets those in flight finish for up to `graceMs` (default 0), then stops what is left
   * and closes every connection.
   */
  close(graceMs?: number): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The request id a subgraph uses: the gateway's (always a UUID it generated), else a fresh one.
 * Anything else in X-Request-Id is ignored. Nothing keys uniqueness on it: it joins the log
 * lines and disclosure-log rows of one request.
 */
export function requestIdOf(request: http.IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && UUID.test(given) ? given.toLowerCase() : randomUUID();
}

/**
 * A caller's own request reference (X-Correlation-Id, else X-Request-Id), kept only to correlate
 * with the caller's logs: printable token characters, at most 100; anything else is dropped.
 */
export function correlationIdOf(request: http.IncomingMessage): string | undefined {
  for (const name of ['x-correlation-id', 'x-request-id']) {
    const given = request.headers[name];
    if (typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given)) return given;
  }
  return undefined;
}

/** An error answered with its HTTP status and message (`{ errors: [{ message }] }`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`));
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body is larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const STOPPED = Symbol('stopped');

function stoppedOf(deadline: RequestDeadline): Promise<typeof STOPPED> {
  if (deadline.stopped) return Promise.resolve(STOPPED);
  return new Promise((resolve) => deadline.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }));
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function handleGraphQL<C extends BaseContext>(
  options: ServeOptions<C>,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  url: URL,
  deadline: RequestDeadline,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: unknown;
  if (request.method === 'POST') {
    const text = await readBody(request);
    if ((headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new HttpError(400, 'request body is not valid JSON');
      }
    } else {
      body = text;
    }
  }
  // Who asks is decided first (a refused token is Apollo's 401), then the screen, then Apollo.
  const context = options.context(request, deadline);
  context.catch(() => undefined); // Apollo answers a refused caller when it asks for the context
  if (options.screen && (await context.then(() => true, () => false))) {
    const refusal = options.screen({ body, search: url.searchParams });
    if (refusal) {
      sendJson(response, 400, { errors: [refusal] });
      return;
    }
  }
  const execution = options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
    context: () => context,
  });
  const result = options.answerWhenStopped ? await Promise.race([execution, stoppedOf(deadline)]) : await execution;
  if (deadline.stopped?.extensions.code === 'REQUEST_CANCELLED') return; // nobody to answer
  if (result === STOPPED) {
    const { message, extensions } = deadline.stopped!;
    sendJson(response, 200, { data: null, errors: [{ message, extensions }] });
    return;
  }
  for (const [name, value] of result.headers) response.setHeader(name, value);
  response.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    // Encoded once: written as a string, Node would measure it for Content-Length, join it to the
    // headers and measure and copy it again (Apollo's body is a concatenation, flattened each
    // time): for a caseload of several hundred KB, a tenth of the gateway's CPU.
    const body = Buffer.from(result.body.string, 'utf8');
    response.setHeader('content-length', body.length);
    response.end(body);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

export async function serve<C extends BaseContext>(options: ServeOptions<C>): Promise<RunningServer> {
  const inFlight = new Set<RequestDeadline>();
  let draining = false;
  let drained: (() => void) | undefined;
  // Requests in progress per connection: on close, idle connections are ended at once, busy ones
  // once their last response has gone. (http.Server's own close() also ends "idle" connections,
  // and has been seen here to end a kept-alive one whose request was still being worked on.)
  const sockets = new Map<net.Socket, number>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const socket = request.socket;
    sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (sockets.get(socket) ?? 1) - 1;
      sockets.set(socket, left);
      if (draining && left === 0) socket.end();
    });
    if (draining) {
      // A request on a connection kept open from before: refused, and the connection closed.
      response.setHeader('connection', 'close');
      sendJson(response, 503, { errors: [{ message: 'the service is shutting down', extensions: { code: 'SHUTTING_DOWN' } }] });
      return;
    }
    let work: Promise<void>;
    if (url.pathname === '/graphql') {
      const deadline = options.deadline(request);
      inFlight.add(deadline);
      response.once('close', () => {
        // Closed before the answer was written: the caller is gone, stop its work.
        if (!response.writableFinished) deadline.stop('REQUEST_CANCELLED', 'The caller disconnected; the request was stopped.');
        deadline.finish();
        inFlight.delete(deadline);
        if (draining && inFlight.size === 0) drained?.();
      });
      work = handleGraphQL(options, request, response, url, deadline);
    } else if (url.pathname === '/health') {
      work = options.health().then((report) => sendJson(response, report.status === 'ok' ? 200 : 503, report));
    } else if (url.pathname === '/ready') {
      work = (options.ready ?? options.health)().then((report) => sendJson(response, report.status === 'ok' ? 200 : 503, report));
    } else {
      let routed: Promise<void> | undefined;
      for (const route of options.routes ?? []) {
        try {
          routed = route(request, response, url);
        } catch (error) {
          routed = Promise.reject(error);
        }
        if (routed) break;
      }
      work = routed ?? Promise.reject(new HttpError(404, `no route ${url.pathname}; use /graphql, /health or /ready`));
    }
    work.catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof HttpError ? error.message : 'internal server error';
      sendJson(response, status, { errors: [{ message }] });
    });
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host === '0.0.0.0' ? 'localhost' : options.host;
  return {
    url: `http://${hostForUrl}:${port}/graphql`,
    port,
    close: async (graceMs = 0) => {
      draining = true;
      // Stop listening (net.Server's close: no idle-connection sweep of its own).
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      for (const [socket, busy] of sockets) if (busy === 0) socket.end();
      if (inFlight.size > 0 && graceMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      for (const deadline of inFlight) deadline.stop('DEADLINE_EXCEEDED', 'The service shut down before the request finished.');
      for (const socket of sockets.keys()) socket.destroy();
      await closed;
    },
  };
}
