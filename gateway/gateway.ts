/**
 * The gateway: @apollo/gateway over the committed supergraph (it boots even while a subgraph is
 * down), served by Apollo Server 5. It passes the caller's Authorization header and a request id
 * on to every subgraph fetch, and gives each fetch a timeout (RemoteGraphQLDataSource has none).
 */
import { ApolloServer } from '@apollo/server';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { AGENCIES, AgencyName, introspectionEnabled, operationLimits, requestTimeoutMs } from '../lib/config';
import { OperationLimits } from '../lib/operation-limits';
import { OperationLimiter } from '../lib/operation-limits-plugin';
import { readCommittedSupergraph } from '../lib/composition';
import { CALLER_CODES, formatError } from '../lib/errors';
import { RunningServer, correlationIdOf, serve } from '../lib/http-server';
import { randomUUID } from 'node:crypto';
import { logger } from '../lib/logger';
import { requestIdPlugin } from '../lib/request-id-plugin';
import { RequestDeadline } from '../lib/request-deadline';
import { deadlineFetch, registerDeadline, subgraphReadiness } from './deadline-fetch';
import { Caller, Verifier } from '../lib/auth/identity';
import { ApolloServerPlugin } from '@apollo/server';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from '../lib/idempotency';

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
}

export interface GatewayOptions {
  subgraphUrls: Record<AgencyName, string>;
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
}

/**
 * A subgraph's errors, as the gateway's executor receives them: it maps each to a new GraphQLError
 * (@apollo/gateway's downstreamServiceError) with `errors.map`, and capturing a stack trace for
 * each was most of that cost (a caseload carries hundreds of refusals). Those stacks would only
 * show the executor's own frames and are never sent (includeStacktraceInErrorResponses: false), so
 * this array's `map` builds them without one. The errors themselves (message, path, extensions)
 * are untouched.
 */
class StacklessErrors<T> extends Array<T> {
  static override get [Symbol.species]() {
    return Array;
  }

  override map<U>(callback: (value: T, index: number, array: T[]) => U, thisArg?: unknown): U[] {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return Array.prototype.map.call(this, callback, thisArg) as U[];
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly agency: string,
    readonly timeoutMs: number,
    url: string,
    maxResponseBytes: number,
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
    // X-Deadline-Ms (the remaining budget) is set by the fetcher, at the moment the fetch leaves.
  }
}

export function createGateway(options: GatewayOptions): ApolloGateway {
  return new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? readCommittedSupergraph(),
    buildService: ({ name, url }) => {
      const agency = AGENCIES.find((a) => a === name);
      if (!agency) throw new Error(`the supergraph names subgraph "${name}" (${url}), which this gateway does not know`);
      return new AgencyDataSource(agency, options.timeoutMs, options.subgraphUrls[agency], options.maxSubgraphResponseBytes ?? 16 * 1024 * 1024);
    },
  });
}

export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const limits = options.limits ?? operationLimits();
  const limiter = new OperationLimiter({ limits });
  const apollo = new ApolloServer<GatewayContext>({
    gateway: createGateway(options),
    // No "Did you mean ...": the schema is not the caller's to explore.
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: limits.maxTokens },
    introspection: introspectionEnabled(),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    formatError,
    // The processes that start servers handle signals (bin/start.ts, */main.ts).
    stopOnTerminationSignals: false,
    plugins: [limiter.plugin<GatewayContext>(), withholdingPlugin(), requestIdPlugin<GatewayContext>()],
  });
  await apollo.start();
  const running = await serve({
    apollo,
    // Verified before any planning: a request without a valid token gets 401 here.
    context: async (request, deadline) => {
      const caller = await options.verify(request.headers.authorization);
      // Always our own id: a client's X-Request-Id is only a correlation id, never trusted as unique.
      const requestId = randomUUID();
      registerDeadline(requestId, deadline);
      const correlationId = correlationIdOf(request);
      logger.info({ requestId, correlationId, agency: caller.agency, role: caller.role }, 'request');
      return { caller, requestId, correlationId, notices: new Set<string>(), idempotencyKey: idempotencyKeyOf(request.headers[IDEMPOTENCY_HEADER]) };
    },
    health: async () => ({ status: 'ok', service: 'gateway' }),
    ready: () => subgraphReadiness(options.subgraphUrls),
    deadline: () => new RequestDeadline(options.requestTimeoutMs ?? requestTimeoutMs()),
    // Operation limits, before Apollo parses, validates or plans anything.
    screen: limiter.screen,
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

/** The request header that asks for all of the data or none of it (`fail`), or for refusals grouped (`compact`). */
export const WITHHOLDING_HEADER = 'x-withheld-fields';

/** Refused by an agreement or a role policy, or held back because the disclosure could not be logged. */
function isWithheld(error: GraphQLFormattedError): boolean {
  return error.extensions?.code === 'FORBIDDEN' || error.extensions?.code === 'AUDIT_UNAVAILABLE';
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
 * Passes on the notices released data must carry, and honours `X-Withheld-Fields`: `fail`, a
 * caller who wants all or nothing gets no data when any field was withheld; `compact`, refusals
 * grouped (compactRefusals). Without the header: one error per withheld field.
 */
function withholdingPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const asked = request.http?.headers.get(WITHHOLDING_HEADER)?.trim().toLowerCase();
      const allOrNothing = asked === 'fail';
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const withheld = (result.errors ?? []).filter(isWithheld);
          if (allOrNothing && withheld.length > 0) {
            response.body.singleResult = {
              data: null,
              errors: [
                {
                  message: `${withheld.length} field(s) withheld and ${WITHHOLDING_HEADER}: fail asked for all or nothing, so no data is returned.`,
                  extensions: { code: 'FORBIDDEN', reason: 'ALL_OR_NOTHING', withheld: withheld.map((e) => e.extensions?.coordinate) },
                } as never,
                ...withheld,
              ],
            };
            return;
          }
          if (asked === 'compact' && withheld.length > 0) result.errors = compactRefusals(result.errors!);
          if (contextValue.notices.size > 0 && result.data) {
            result.extensions = { ...result.extensions, redisclosureNotices: [...contextValue.notices] };
          }
        },
      };
    },
  };
}
