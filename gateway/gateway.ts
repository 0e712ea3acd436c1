/**
 * The gateway: @apollo/gateway over the committed supergraph (it boots even while a subgraph is
 * down), served by Apollo Server 5. It passes the caller's Authorization header and a request id
 * on to every subgraph fetch, and gives each fetch a timeout (RemoteGraphQLDataSource has none).
 */
import { ApolloServer } from '@apollo/server';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { AGENCIES, AgencyName, introspectionEnabled } from '../lib/config';
import { readCommittedSupergraph } from '../lib/composition';
import { formatError } from '../lib/errors';
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
      return new AgencyDataSource({
        url: agency ? options.subgraphUrls[agency] : url,
        fetcher: timedFetch(options.timeoutMs) as never,
      });
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
