/**
 * The gateway: @apollo/gateway over the committed supergraph (it boots even while a subgraph is
 * down), served by Apollo Server 5. It passes the caller's Authorization header and a request id
 * on to every subgraph fetch, and gives each fetch a timeout (RemoteGraphQLDataSource has none).
 */
import { ApolloServer } from '@apollo/server';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { AGENCIES, AgencyName, introspectionEnabled } from '../lib/config';
import { readCommittedSupergraph } from '../lib/composition';
import { CALLER_CODES, formatError } from '../lib/errors';
import { RunningServer, requestIdOf, serve } from '../lib/http-server';

export interface GatewayContext {
  authorization?: string;
  requestId: string;
}

export interface GatewayOptions {
  subgraphUrls: Record<AgencyName, string>;
  host: string;
  port: number;
  timeoutMs: number;
  supergraphSdl?: string;
}

class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly agency: string,
    readonly timeoutMs: number,
    url: string,
  ) {
    super({ url, fetcher: timedFetch(timeoutMs) as never });
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
      return new GraphQLError(first.message, { extensions: { code } });
    }
    return super.errorFromResponse(response);
  }

  /** A subgraph that can't be reached or is too slow: say which, and nothing of how. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    try {
      return await super.process(options);
    } catch (error) {
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
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.requestId) headers.set('x-request-id', context.requestId);
  }
}

function timedFetch(timeoutMs: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

export function createGateway(options: GatewayOptions): ApolloGateway {
  return new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? readCommittedSupergraph(),
    buildService: ({ name, url }) => {
      const agency = AGENCIES.find((a) => a === name);
      if (!agency) throw new Error(`the supergraph names subgraph "${name}" (${url}), which this gateway does not know`);
      return new AgencyDataSource(agency, options.timeoutMs, options.subgraphUrls[agency]);
    },
  });
}

export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const apollo = new ApolloServer<GatewayContext>({
    gateway: createGateway(options),
    introspection: introspectionEnabled(),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    formatError,
  });
  await apollo.start();
  const running = await serve({
    apollo,
    context: async (request) => ({ authorization: request.headers.authorization, requestId: requestIdOf(request) }),
    health: async () => ({ status: 'ok', service: 'gateway' }),
    host: options.host,
    port: options.port,
  });
  return {
    ...running,
    close: async () => {
      await running.close();
      await apollo.stop();
    },
  };
}
