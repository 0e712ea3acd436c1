/**
 * Enforces the operation limits for the gateway and every subgraph alike, in two places:
 *
 * - `screen`, called by the HTTP front (lib/http-server.ts) on every request before Apollo Server
 *   sees it: tokens counted by graphql-js's lexer, then one parse (bounded by maxTokens) and the
 *   linear analysis of lib/operation-limits.ts. A refusal is answered there with HTTP 400, so a
 *   spread explosion never reaches graphql-js's validation (OverlappingFieldsCanBeMerged) nor the
 *   gateway's query planner. (Apollo Server 5 turns an error thrown from its pre-validation plugin
 *   hooks into HTTP 500, which is why this is not a plugin hook.)
 * - `plugin`: learns the schema (the gateway's API schema and the supergraph's list sizes) and
 *   checks again once the operation is resolved (didResolveOperation, the one early hook whose
 *   error Apollo answers properly), for operations that do not come through the HTTP front (a
 *   request the screen passed is not measured twice). The screen keeps the parse of queries it has
 *   seen (by their text), so a client's usual operations are lexed and parsed once.
 */
import { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { DocumentNode, GraphQLError, GraphQLFormattedError, GraphQLSchema, parse } from 'graphql';
import { ListBounds, readListBounds } from './list-bounds';
import { OperationLimits, countTokens, enforceOperationLimits, limitRefusal } from './operation-limits';

export interface OperationLimiterOptions {
  limits: OperationLimits;
  /** SDL to read list sizes from; the gateway reads them from the supergraph it loads instead. */
  sdl?: string;
}

/** How many queries' parses the screen keeps, and the longest query it keeps. */
const CACHE_ENTRIES = 500;
const CACHE_QUERY_CHARS = 32 * 1024;

function formatted(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return { message: error.message, extensions };
}

export class OperationLimiter {
  readonly limits: OperationLimits;
  private schema: GraphQLSchema | undefined;
  private bounds: ListBounds;

  constructor(options: OperationLimiterOptions) {
    this.limits = options.limits;
    this.bounds = options.sdl ? readListBounds(options.sdl) : new Map();
  }

  /**
   * The token count and parsed document of queries seen before (at most CACHE_ENTRIES, each at
   * most CACHE_QUERY_CHARS long): clients send the same few operations again and again, and
   * lexing and parsing them is most of the screen's cost. The limits are still checked on every
   * request (the cost depends on the variables).
   */
  /** Request bodies the screen has passed (the plugin skips them: the same operation, measured once). */
  private readonly screened = new WeakSet<object>();

  private readonly parsed = new Map<string, { tokens: number | undefined; document: DocumentNode | undefined }>();

  private parse(query: string): { tokens: number | undefined; document: DocumentNode | undefined } {
    const cached = this.parsed.get(query);
    if (cached) return cached;
    const tokens = countTokens(query);
    let document: DocumentNode | undefined;
    if (tokens !== undefined && tokens <= this.limits.maxTokens) {
      try {
        document = parse(query, { maxTokens: this.limits.maxTokens });
      } catch {
        document = undefined; // Apollo's parser reports it
      }
    }
    const entry = { tokens, document };
    if (query.length <= CACHE_QUERY_CHARS) {
      if (this.parsed.size >= CACHE_ENTRIES) this.parsed.clear();
      this.parsed.set(query, entry);
    }
    return entry;
  }

  /** Throws the refusal (a GraphQLError with HTTP 400) of an operation beyond a limit. */
  check(query: string, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): void {
    const { tokens, document } = this.parse(query);
    if (tokens === undefined) return; // a syntax error: Apollo's parser names it
    if (tokens > this.limits.maxTokens) throw limitRefusal('maxTokens', tokens, this.limits.maxTokens);
    if (!document) return; // Apollo's parser reports it
    enforceOperationLimits(document, operationName, variables, this.limits, this.schema, this.bounds);
  }

  /** For lib/http-server.ts: the refusal of a request's operation, formatted for the caller, if any. */
  readonly screen = ({ body, search }: { body: unknown; search: URLSearchParams }): GraphQLFormattedError | undefined => {
    let query: unknown;
    let operationName: unknown;
    let variables: unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      ({ query, operationName, variables } = body as Record<string, unknown>);
    } else if (search.has('query')) {
      query = search.get('query');
      operationName = search.get('operationName') ?? undefined;
      try {
        variables = search.has('variables') ? JSON.parse(search.get('variables')!) : undefined;
      } catch {
        return undefined; // Apollo answers malformed variables
      }
    }
    if (typeof query !== 'string') return undefined; // persisted queries, bad requests: Apollo answers
    try {
      this.check(
        query,
        typeof operationName === 'string' ? operationName : undefined,
        variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : undefined,
      );
      // Checked once the schema is known: the plugin need not measure this request's operation again.
      if (this.schema && body && typeof body === 'object') this.screened.add(body);
      return undefined;
    } catch (error) {
      if (error instanceof GraphQLError) return formatted(error);
      throw error;
    }
  };

  plugin<C extends BaseContext>(): ApolloServerPlugin<C> {
    return {
      serverWillStart: async () => ({
        schemaDidLoadOrUpdate: ({ apiSchema, coreSupergraphSdl }) => {
          this.schema = apiSchema;
          if (coreSupergraphSdl) this.bounds = readListBounds(coreSupergraphSdl);
        },
      }),
      requestDidStart: async () => ({
        didResolveOperation: async ({ document, request }) => {
          const body = request.http?.body;
          if (body && typeof body === 'object' && this.screened.has(body)) return;
          enforceOperationLimits(document, request.operationName, request.variables, this.limits, this.schema, this.bounds);
        },
      }),
    };
  }
}
