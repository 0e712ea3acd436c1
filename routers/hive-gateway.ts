/**
 * The case graph behind another federation router: GraphQL Hive Gateway (the runtime of
 * `@graphql-hive/gateway`, `@graphql-hive/gateway-runtime` on npm), serving the committed
 * supergraph, configured with what this graph's guarantees need of any router (README: "Running
 * behind another federation router"):
 *
 * - header forwarding to every subgraph fetch: Authorization (each subgraph verifies the caller
 *   and decides every field itself), X-Withheld-Fields (each subgraph withholds its own part),
 *   Idempotency-Key, X-Correlation-Id, X-Deadline-Ms, and one X-Request-Id per request (a UUID the
 *   router makes, so the disclosure-log rows of a request share it);
 * - optionally, the 401 before planning (`verify`): the caller's token is checked before the router
 *   does anything with the request;
 * - optionally, all or nothing over the whole response (`allOrNothing`): each subgraph nulls its
 *   own part when it withheld something; this nulls the rest too.
 *
 * The 42 CFR 2.32 notice needs nothing of the router: it travels in the data
 * (`ProgramEnrollment.redisclosureNotice`), and a subgraph releases Part 2 fields only with it.
 * Run it: `npm run start:hive-gateway` (the subgraphs at COURTS_URL, …).
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { AddressInfo } from 'node:net';
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { AGENCIES, AgencyName } from '../lib/config';
import type { Verifier } from '../lib/auth/identity';
import { IDEMPOTENCY_HEADER } from '../lib/idempotency';
import { DEADLINE_HEADER } from '../lib/request-deadline';
import { WITHHOLDING_HEADER, allOrNothingResult, asksAllOrNothing } from '../lib/withholding';

export interface HiveGatewayOptions {
  /** The supergraph SDL (schema/supergraph.graphql); its subgraph URLs are replaced by `subgraphUrls`. */
  supergraphSdl: string;
  subgraphUrls: Record<AgencyName, string>;
  host: string;
  port: number;
  /** Verifies the caller before anything else: a refused token gets HTTP 401, as from this project's gateway. */
  verify?: Verifier;
  /** Honours X-Withheld-Fields: fail over the whole response (the subgraphs do it for their own parts). */
  allOrNothing?: boolean;
}

/** Headers a subgraph reads from its caller; the router passes them on from the client. */
export const FORWARDED_HEADERS = ['authorization', WITHHOLDING_HEADER, IDEMPOTENCY_HEADER, 'x-correlation-id', DEADLINE_HEADER] as const;

/** The supergraph with each subgraph's URL replaced (join__graph(name:, url:)). */
export function withSubgraphUrls(supergraphSdl: string, urls: Record<AgencyName, string>): string {
  let sdl = supergraphSdl;
  for (const agency of AGENCIES) {
    const pattern = new RegExp(`(@join__graph\\(name: "${agency}", url: )"[^"]*"`);
    if (!pattern.test(sdl)) throw new Error(`the supergraph names no subgraph "${agency}"`);
    sdl = sdl.replace(pattern, `$1${JSON.stringify(urls[agency])}`);
  }
  return sdl;
}

type Context = { request: Request; dvRequestId?: string };

/**
 * What this module uses of @graphql-hive/gateway-runtime. Its type declarations are not imported:
 * they bring a second @types/node (25) whose globals clash with the project's (Node 20) and break
 * the type check of unrelated files (e.g. fetch bodies in gateway/).
 */
interface HiveRuntime {
  (request: http.IncomingMessage, response: http.ServerResponse): void;
  dispose(): Promise<void> | void;
}
type HivePlugin = Record<string, unknown>;
interface HiveConfig {
  supergraph: string;
  logging: boolean | string;
  graphiql: boolean;
  landingPage: boolean;
  propagateHeaders: { fromClientToSubgraphs(payload: { request: Request; context: Context; subgraphName: string }): Record<string, string | undefined> };
  plugins(): HivePlugin[];
  transports: Record<string, unknown>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createGatewayRuntime } = require('@graphql-hive/gateway-runtime') as { createGatewayRuntime(config: HiveConfig): HiveRuntime };
// Given, not left to the runtime's dynamic import: a transport it cannot load fails every fetch silently (`data: { case: null }`, no error).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpTransport = require('@graphql-mesh/transport-http') as Record<string, unknown>;

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/**
 * Hive's logger reads LOG_LEVEL too, and throws (at every logger it makes, per request included)
 * on a level it does not know — pino's `silent` and `fatal`, which this project uses. Its own
 * logging is off here; the variable is mapped to a level it accepts once this process's pino
 * logger (lib/logger.ts, which reads it at import) has its level.
 */
function tolerateProjectLogLevel(): void {
  const level = process.env.LOG_LEVEL;
  if (level !== undefined && !['trace', 'debug', 'info', 'warn', 'error'].includes(level)) process.env.LOG_LEVEL = 'error';
}

export function createHiveGateway(options: Omit<HiveGatewayOptions, 'host' | 'port'>): HiveRuntime {
  const { verify, allOrNothing } = options;
  tolerateProjectLogLevel();
  return createGatewayRuntime({
    supergraph: withSubgraphUrls(options.supergraphSdl, options.subgraphUrls),
    logging: false,
    graphiql: false,
    transports: { http: httpTransport },
    landingPage: false,
    propagateHeaders: {
      fromClientToSubgraphs: ({ request, context }) => {
        const headers: Record<string, string | undefined> = {};
        for (const name of FORWARDED_HEADERS) headers[name] = request.headers.get(name) ?? undefined;
        headers['x-request-id'] = context.dvRequestId;
        return headers;
      },
    },
    plugins: () => [
      {
        // One id per client request, sent to every subgraph fetch of it.
        onContextBuilding: ({ extendContext }: { extendContext: (extension: Partial<Context>) => void }) => extendContext({ dvRequestId: randomUUID() }),
      },
      ...(verify
        ? [
            {
              // 401 before the router parses, validates or plans anything.
              onRequest: async ({ request, endResponse }: { request: Request; endResponse: (response: Response) => void }) => {
                if (new URL(request.url).pathname !== '/graphql') return;
                try {
                  await verify(request.headers.get('authorization') ?? undefined);
                } catch (error) {
                  const message = error instanceof Error ? error.message : 'Unauthenticated';
                  endResponse(json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }, 401));
                }
              },
            },
          ]
        : []),
      ...(allOrNothing
        ? [
            {
              // Before the response is written: the whole answer, whatever each subgraph did with its part.
              onResultProcess: ({ request, result, setResult }: { request: Request; result: unknown; setResult(result: unknown): void }) => {
                if (!asksAllOrNothing(request.headers.get(WITHHOLDING_HEADER))) return;
                if (!result || typeof result !== 'object' || Array.isArray(result) || Symbol.asyncIterator in result) return;
                const errors = (result as ExecutionResult).errors?.map((e) => ('toJSON' in e ? e.toJSON() : e)) as GraphQLFormattedError[] | undefined;
                const refused = allOrNothingResult(errors);
                if (refused) setResult(refused);
              },
            },
          ]
        : []),
    ],
  });
}

export interface RunningRouter {
  url: string;
  close(): Promise<void>;
}

/** Serves the Hive Gateway runtime over node:http. */
export async function startHiveGateway(options: HiveGatewayOptions): Promise<RunningRouter> {
  const gateway = createHiveGateway(options);
  const server = http.createServer(gateway);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}
