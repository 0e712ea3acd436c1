/**
 * The gateway: @apollo/gateway over the committed supergraph (it boots even while a subgraph is
 * down), served by Apollo Server 5. It passes the caller's Authorization header and a request id
 * on to every subgraph fetch, and gives each fetch a timeout (RemoteGraphQLDataSource has none).
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { SERVICES, ServiceName, devToolsEnabled, introspectionEnabled, operationLimits, requestTimeoutMs } from '../lib/config';
import { OperationLimits } from '../lib/operation-limits';
import { OperationLimiter } from '../lib/operation-limits-plugin';
import { readCommittedSupergraph } from '../lib/composition';
import { CALLER_CODES, formatError, lightGraphQLError } from '../lib/errors';
import { RunningServer, correlationIdOf, serve } from '../lib/http-server';
import { randomUUID } from 'node:crypto';
import { logger } from '../lib/logger';
import { requestIdPlugin } from '../lib/request-id-plugin';
import { RequestDeadline } from '../lib/request-deadline';
import { deadlineFetch, registerDeadline, subgraphReadiness } from './deadline-fetch';
import { Caller, Verifier } from '../lib/auth/identity';
import { ApolloServerPlugin } from '@apollo/server';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from '../lib/idempotency';
import { staticFiles } from '../lib/static-files';
import { devToolRoutes } from './dev-tools';
import { WITHHOLDING_HEADER, allOrNothingResult } from '../lib/withholding';
import { noticeSelections } from './notice-selection';

export interface GatewayContext {
  caller: Caller;
  /** Generated here for every request (a UUID); sent to every subgraph as X-Request-Id. */
  requestId: string;
  /** The caller's own reference (X-Correlation-Id or X-Request-Id), sanitized; never trusted as unique. */
  correlationId?: string;
  /** Notices subgraphs attached to data they released (e.g. 42 CFR 2.32), passed on to the caller. */
  notices: Set<string>;
  /** The caller's Idempotency-Key, checked, passed on to the subgraphs; the gateway itself never retries. */
  idempotencyKey?: string | null;
  /** How withheld fields are reported (X-Withheld-Fields; withheldFieldsForm). */
  withheldFields: WithheldFieldsForm;
}

export interface GatewayOptions {
  subgraphUrls: Record<ServiceName, string>;
  host: string;
  port: number;
  /** Longest wait for one subgraph fetch (SUBGRAPH_TIMEOUT_MS); a fetch also ends at the request's deadline. */
  timeoutMs: number;
  /** The whole request's deadline; defaults to REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** Largest subgraph response read (MAX_SUBGRAPH_RESPONSE_BYTES); defaults to 16 MiB. */
  maxSubgraphResponseBytes?: number;
  verify: Verifier;
  supergraphSdl?: string;
  /** Operation limits; from the environment (OPERATION_MAX_*) unless given. */
  limits?: OperationLimits;
  /** A built dashboard (dashboard/dist) to serve at `/`; none when undefined. */
  dashboardDir?: string;
  /** The development token endpoint and explorer (gateway/dev-tools.ts); from DEV_TOOLS / NODE_ENV unless given. */
  devTools?: boolean;
}

/**
 * A subgraph's errors, as the gateway's executor receives them. It maps each to a new GraphQLError
 * (@apollo/gateway's downstreamServiceError) with `errors.map`, translating its path from the
 * subgraph's operation into the client's, and a caseload carries hundreds of refusals:
 *
 * - the errors are mapped with `Error.stackTraceLimit = 0`: the stacks would only show the
 *   executor's own frames and are never sent (includeStacktraceInErrorResponses: false);
 * - a refusal (FORBIDDEN, with a coordinate and a path) is not given to the executor's mapping at
 *   all: the translation of a path depends only on its first two elements (`_entities` and the
 *   entity's index, or the root field), so the executor's own mapping is asked once per distinct
 *   prefix, and the refusal is made as the subgraphs make it (lightGraphQLError) with the
 *   extensions downstreamServiceError gives it: the subgraph's, then serviceName. The same errors
 *   (tests/gateway-refusals compares them with stock @apollo/gateway's), without GraphQLError's
 *   constructor for each.
 *
 * Any other `map` over the errors (the executor's list of error paths) runs as Array's own.
 */
export class StacklessErrors<T> extends Array<T> {
  static override get [Symbol.species]() {
    return Array;
  }

  override map<U>(callback: (value: T, index: number, array: T[]) => U, thisArg?: unknown): U[] {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return (mapRefusals(this as unknown as SubgraphError[], callback as never) ?? Array.prototype.map.call(this, callback, thisArg)) as U[];
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

type SubgraphError = { message?: unknown; path?: unknown; extensions?: Record<string, unknown> };
type Path = readonly (string | number)[];

function isRefusal(error: SubgraphError): error is { message: string; path: Path; extensions: Record<string, unknown> } {
  return (
    error.extensions?.code === 'FORBIDDEN' &&
    typeof error.extensions.coordinate === 'string' &&
    typeof error.message === 'string' &&
    error.message !== '' &&
    Array.isArray(error.path)
  );
}

/** The executor's mapping with each refusal made cheaply (StacklessErrors); undefined: map as usual. */
function mapRefusals(errors: SubgraphError[], callback: (error: SubgraphError, index: number, array: SubgraphError[]) => unknown): unknown[] | undefined {
  if (!errors.some(isRefusal)) return undefined;
  // What the executor makes of a refusal with this path: only its translated path and serviceName are used.
  const probe = (path: Path) => callback({ message: 'probe', path: [...path], extensions: { code: 'FORBIDDEN' } }, 0, errors);
  const root = probe([]);
  // Not the executor's error mapping (it makes GraphQLErrors with a translated path): map as usual.
  if (!(root instanceof GraphQLError) || !Array.isArray(root.path) || typeof root.extensions.serviceName !== 'string') return undefined;
  const serviceName = root.extensions.serviceName;
  const prefixes = new Map<string, Path>();
  return Array.prototype.map.call(errors, (error: SubgraphError, index: number) => {
    if (!isRefusal(error)) return callback(error, index, errors);
    const [first, second] = error.path;
    let path: Path;
    if (typeof second === 'number') {
      const key = `${first}\u0000${second}`;
      let prefix = prefixes.get(key);
      if (!prefix) {
        prefix = (probe([first, second]) as GraphQLError).path ?? [];
        prefixes.set(key, prefix);
      }
      path = [...prefix, ...error.path.slice(2)];
    } else {
      path = [...root.path!, ...error.path];
    }
    return lightGraphQLError(error.message, path, { ...error.extensions, serviceName });
  });
}

class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly agency: string,
    readonly timeoutMs: number,
    url: string,
    maxResponseBytes: number,
    private readonly withNotices: (operation: string) => string,
  ) {
    super({ url, fetcher: deadlineFetch({ timeoutMs, maxResponseBytes }) as never });
  }

  /**
   * A subgraph answers bad variables (and, later, refused credentials) with an HTTP error status
   * and a GraphQL error meant for the caller: pass that error on, not "400: Bad Request" with the
   * subgraph's URL and body attached.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body = await this.parseBody(response.clone());
    const first = (body as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] })?.errors?.[0];
    const code = first?.extensions?.code;
    if (typeof first?.message === 'string' && typeof code === 'string' && CALLER_CODES.has(code)) {
      // An operation limit the subgraph enforced: keep what it measured and its limit.
      const { measured, limit } = (first.extensions ?? {}) as { measured?: unknown; limit?: unknown };
      const figures = typeof measured === 'number' && typeof limit === 'number' ? { measured, limit, serviceName: this.agency } : {};
      return new GraphQLError(first.message, { extensions: { code, ...figures } });
    }
    return super.errorFromResponse(response);
  }

  override async didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    const notices = (response.extensions as { redisclosureNotices?: unknown } | undefined)?.redisclosureNotices;
    if (Array.isArray(notices)) for (const n of notices) if (typeof n === 'string') context.notices.add(n);
    return response;
  }

  /** A subgraph that can't be reached or is too slow: say which, and nothing of how. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      const response = await super.process(options);
      if (response.errors && response.errors.length > 0) {
        const errors = new StacklessErrors<(typeof response.errors)[number]>();
        for (const error of response.errors) errors.push(error);
        response.errors = errors;
      }
      return response;
    } catch (error) {
      const code = error instanceof GraphQLError ? error.extensions.code : undefined;
      if (code === 'DEADLINE_EXCEEDED' || code === 'REQUEST_CANCELLED') {
        throw new GraphQLError(`The ${this.agency} service did not answer before the request's deadline; its part of the result is missing.`, {
          extensions: { code: 'DEADLINE_EXCEEDED', serviceName: this.agency },
        });
      }
      if (code === 'RESPONSE_TOO_LARGE') {
        throw new GraphQLError(`The ${this.agency} service's answer is larger than this gateway accepts (MAX_SUBGRAPH_RESPONSE_BYTES); ask for fewer records or fields.`, {
          extensions: { code: 'RESPONSE_TOO_LARGE', serviceName: this.agency },
        });
      }
      if (error instanceof GraphQLError) throw error;
      const timedOut = (error as Error)?.name === 'TimeoutError';
      throw new GraphQLError(
        timedOut
          ? `The ${this.agency} service did not answer within ${this.timeoutMs} ms; its part of the result is missing.`
          : `The ${this.agency} service is unavailable; its part of the result is missing.`,
        { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: this.agency }, originalError: error as Error },
      );
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    // The caller's own signed token: each subgraph verifies it again.
    headers.set('authorization', `Bearer ${context.caller.token}`);
    if (context.requestId) headers.set('x-request-id', context.requestId);
    if (context.idempotencyKey) headers.set(IDEMPOTENCY_HEADER, context.idempotencyKey);
    if (context.correlationId) headers.set('x-correlation-id', context.correlationId);
    if (context.withheldFields === 'fail') headers.set(WITHHOLDING_HEADER, 'fail');
    // A record that must carry a notice is released only with it selected: select it for clients that don't.
    if (request.query) request.query = this.withNotices(request.query);
    // X-Deadline-Ms (the remaining budget) is set by the fetcher, at the moment the fetch leaves.
  }
}

/**
 * @apollo/gateway (2.10 on) reports usage to Apollo unless APOLLO_TELEMETRY_DISABLED is set: at
 * start it probes cloud metadata addresses (AWS, GCP, Azure, Alibaba) and the host and OS, then
 * sends hourly metrics to usage-reporting.api.apollographql.com. This gateway sends nothing
 * anywhere but to its subgraphs: the setting is forced, not left to the environment.
 */
function disableApolloTelemetry(): void {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
}

export function createGateway(options: GatewayOptions): ApolloGateway {
  disableApolloTelemetry();
  const supergraphSdl = options.supergraphSdl ?? readCommittedSupergraph();
  const withNotices = noticeSelections(supergraphSdl);
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const agency = SERVICES.find((a) => a === name);
      if (!agency) throw new Error(`the supergraph names subgraph "${name}" (${url}), which this gateway does not know`);
      return new AgencyDataSource(agency, options.timeoutMs, options.subgraphUrls[agency], options.maxSubgraphResponseBytes ?? 16 * 1024 * 1024, withNotices);
    },
  });
}

export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const limits = options.limits ?? operationLimits();
  const devTools = options.devTools ?? devToolsEnabled();
  if (devTools && (process.env.NODE_ENV === 'production' || !['127.0.0.1', 'localhost', '::1'].includes(options.host))) {
    logger.warn({ host: options.host }, 'development tools are on (DEV_TOOLS): this gateway signs development tokens for anyone who can reach it');
  }
  const limiter = new OperationLimiter({ limits });
  const gateway = createGateway(options);
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((loaded) => {
    apiSchema = loaded.apiSchema;
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // No "Did you mean ...": the schema is not the caller's to explore.
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: limits.maxTokens },
    introspection: introspectionEnabled(),
    includeStacktraceInErrorResponses: false,
    // Every request carries Authorization, which a browser sends cross-site only after a CORS
    // preflight: a GET with it (urql sends short queries as GET by default) is not a CSRF risk.
    csrfPrevention: { requestHeaders: ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'] },
    allowBatchedHttpRequests: false,
    formatError,
    // The processes that start servers handle signals (bin/start.ts, */main.ts).
    stopOnTerminationSignals: false,
    plugins: [
      limiter.plugin<GatewayContext>(),
      withholdingPlugin(),
      requestIdPlugin<GatewayContext>(),
      // Apollo's landing page loads from its CDN; the explorer (/explorer, development) is served from here.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  const running = await serve({
    apollo,
    // Verified before any planning: a request without a valid token gets 401 here.
    context: async (request, deadline) => {
      const caller = await options.verify(request.headers.authorization);
      const withheldFields = withheldFieldsForm(request.headers[WITHHOLDING_HEADER]);
      // Always our own id: a client's X-Request-Id is only a correlation id, never trusted as unique.
      const requestId = randomUUID();
      registerDeadline(requestId, deadline);
      const correlationId = correlationIdOf(request);
      logger.info({ requestId, correlationId, agency: caller.agency, role: caller.role }, 'request');
      return { caller, requestId, correlationId, notices: new Set<string>(), idempotencyKey: idempotencyKeyOf(request.headers[IDEMPOTENCY_HEADER]), withheldFields };
    },
    health: async () => ({ status: 'ok', service: 'gateway' }),
    ready: () => subgraphReadiness(options.subgraphUrls),
    deadline: () => new RequestDeadline(options.requestTimeoutMs ?? requestTimeoutMs()),
    // Operation limits, before Apollo parses, validates or plans anything.
    screen: limiter.screen,
    routes: [
      ...(devTools ? devToolRoutes({ verify: options.verify, apiSchema: () => apiSchema }) : []),
      ...(options.dashboardDir ? [staticFiles(options.dashboardDir)] : []),
    ],
    host: options.host,
    port: options.port,
  });
  return {
    ...running,
    close: async (graceMs?: number) => {
      await running.close(graceMs);
      await apollo.stop();
    },
  };
}

export { WITHHOLDING_HEADER };

/** Refused by an agreement or a role policy, or held back because the disclosure could not be logged. */
function isWithheld(error: GraphQLFormattedError): boolean {
  return error.extensions?.code === 'FORBIDDEN' || error.extensions?.code === 'AUDIT_UNAVAILABLE';
}

/**
 * How a response reports the fields it withholds, chosen per request with `X-Withheld-Fields`:
 *   (absent) or `errors`  each withheld field is `null` with a FORBIDDEN error in `errors`
 *   `fail`                all or nothing: no data at all when any field was withheld
 *   `compact`             one error per distinct refusal, its paths in `extensions.paths`
 *   `extensions`          queries: withheld fields are listed in `extensions.withheld` (path,
 *                         coordinate, reason, message) instead of `errors`, so a client with
 *                         default settings keeps the data; other errors stay in `errors`
 */
export const WITHHELD_FIELDS_FORMS = ['errors', 'fail', 'compact', 'extensions'] as const;
export type WithheldFieldsForm = (typeof WITHHELD_FIELDS_FORMS)[number];

/** The form a request's X-Withheld-Fields header asks for; any other value is refused with 400 naming it. */
export function withheldFieldsForm(header: string | string[] | undefined): WithheldFieldsForm {
  const value = (Array.isArray(header) ? header.join(',') : header ?? '').trim().toLowerCase();
  if (value === '') return 'errors';
  const form = WITHHELD_FIELDS_FORMS.find((f) => f === value);
  if (form) return form;
  throw new GraphQLError(`X-Withheld-Fields must be one of ${WITHHELD_FIELDS_FORMS.join(', ')}, got "${String(header).slice(0, 40)}"`, {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/** A withheld field as the `extensions` form lists it. */
export interface WithheldField {
  path?: readonly (string | number)[];
  coordinate?: unknown;
  reason?: unknown;
  message: string;
  [detail: string]: unknown;
}

/**
 * `X-Withheld-Fields: compact`: one error per distinct refusal (the same message and extensions:
 * coordinate, reason, agreements, service) with the paths of every field it withheld in
 * `extensions.paths`, in the order the fields were withheld, the group where its first refusal
 * was; other errors stay as they are, where they were.
 */
export function compactRefusals(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  const out: GraphQLFormattedError[] = [];
  const groups = new Map<string, { paths: (string | number)[][] }>();
  for (const error of errors) {
    if (!isWithheld(error) || !error.path) {
      out.push(error);
      continue;
    }
    const key = `${error.message}\u0000${JSON.stringify(error.extensions)}`;
    const group = groups.get(key);
    if (group) {
      group.paths.push([...error.path]);
      continue;
    }
    const paths = [[...error.path]];
    groups.set(key, { paths });
    out.push({ message: error.message, extensions: { ...error.extensions, paths } });
  }
  return out;
}

/**
 * Passes on the notices released data must carry, and reports withheld fields in the form the
 * request asked for (withheldFieldsForm).
 */
function withholdingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, operation }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          // Refused by an agreement, or held back because the disclosure could not be logged (the
          // subgraphs, which got the header too, have withheld their own parts already).
          // (No context: the request was refused before it was created, e.g. its token.)
          const form = contextValue?.withheldFields ?? 'errors';
          const refused = form === 'fail' ? allOrNothingResult(result.errors) : undefined;
          if (refused) {
            response.body.singleResult = refused;
            return;
          }
          // A refused mutation stays an error: the caller must see that nothing was done.
          if (form === 'extensions' && operation?.operation === 'query') {
            // Refusals only: a log that failed (AUDIT_UNAVAILABLE) or a subgraph that failed is an error.
            const refusals = (result.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN' && typeof e.extensions.coordinate === 'string');
            if (refusals.length > 0) {
              const rest = result.errors!.filter((e) => !refusals.includes(e));
              if (rest.length > 0) result.errors = rest;
              else delete (result as { errors?: unknown }).errors;
              const listed: WithheldField[] = refusals.map(({ message, path, extensions }) => {
                const { code: _code, coordinate, reason, ...details } = extensions!;
                return { path, coordinate, reason, message, ...details };
              });
              result.extensions = { ...result.extensions, withheld: listed };
            }
          }
          if (form === 'compact' && result.errors?.some(isWithheld)) result.errors = compactRefusals(result.errors);
          if (contextValue?.notices.size > 0 && result.data) {
            result.extensions = { ...result.extensions, redisclosureNotices: [...contextValue.notices] };
          }
        },
      };
    },
  };
}
