/**
 * A small node:http front for Apollo Server 5: `/graphql` and `/health`, a bounded request body,
 * nothing else. (Apollo Server 5 ships no HTTP framework of its own besides the standalone one,
 * which has no room for a health route.)
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { ApolloServer, BaseContext, HeaderMap } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';

/** Request bodies above this get 413, as Apollo Router does. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  [detail: string]: unknown;
}

export interface ServeOptions<C extends BaseContext> {
  apollo: ApolloServer<C>;
  context: (request: http.IncomingMessage) => Promise<C>;
  health: () => Promise<HealthReport>;
  host: string;
  port: number;
  /**
   * Looks at a request's GraphQL body (POST) or query string (GET) before Apollo does anything
   * with it; an error it returns is answered at once with HTTP 400 (the operation limits).
   */
  screen?: (request: { body: unknown; search: URLSearchParams }) => GraphQLFormattedError | undefined;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The caller's X-Request-Id when it is a sane token, else a fresh one. */
export function requestIdOf(request: http.IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(request: http.IncomingMessage): Promise<string> {
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

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
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
  const context = options.context(request);
  context.catch(() => undefined); // Apollo answers a refused caller when it asks for the context
  if (options.screen && (await context.then(() => true, () => false))) {
    const refusal = options.screen({ body, search: url.searchParams });
    if (refusal) {
      sendJson(response, 400, { errors: [refusal] });
      return;
    }
  }
  const result = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
    context: () => context,
  });
  for (const [name, value] of result.headers) response.setHeader(name, value);
  response.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

export async function serve<C extends BaseContext>(options: ServeOptions<C>): Promise<RunningServer> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const work =
      url.pathname === '/health'
        ? options.health().then((report) => sendJson(response, report.status === 'ok' ? 200 : 503, report))
        : url.pathname === '/graphql'
          ? handleGraphQL(options, request, response, url)
          : Promise.reject(new HttpError(404, `no route ${url.pathname}; use /graphql or /health`));
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
