/**
 * The stock configuration bench/gateway.ts compares this gateway with: what a user writes from
 * Apollo's documentation. @apollo/gateway over the same supergraph, served by @apollo/server's
 * startStandaloneServer, a RemoteGraphQLDataSource that forwards the caller's Authorization
 * header; nothing else (run with NODE_ENV=production). Port: argv[2] of the service (after the
 * main module); subgraph URLs: <AGENCY>_URL.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { AGENCIES, subgraphUrl } from '../../lib/config';
import { readCommittedSupergraph } from '../../lib/composition';

interface Context {
  authorization?: string;
}

const port = Number(process.argv[process.argv.length - 1]);

const gateway = new ApolloGateway({
  supergraphSdl: readCommittedSupergraph(),
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource<Context>({
      url: AGENCIES.find((a) => a === name) ? subgraphUrl(name as (typeof AGENCIES)[number]) : url,
      willSendRequest({ request, context }) {
        if (context.authorization) request.http?.headers.set('authorization', context.authorization);
      },
    }),
});

const server = new ApolloServer<Context>({ gateway });

startStandaloneServer(server, {
  listen: { port, host: '127.0.0.1' },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
}).then(({ url }) => console.log(`stock gateway at ${url}`));
