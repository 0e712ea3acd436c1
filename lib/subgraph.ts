/**
 * What every agency subgraph shares: how it is described, how its per-request context is built,
 * how it is served and how its errors are shown to callers.
 */
import fs from 'node:fs';
import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLSchema, parse } from 'graphql';
import { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import { AgencyName, introspectionEnabled } from './config';
import { HealthReport, RunningServer, requestIdOf, serve } from './http-server';
import { formatError } from './errors';
import { scalarResolvers } from './scalars';

export interface SubgraphContext<Loaders> {
  db: DataSource;
  loaders: Loaders;
  /** The caller's Authorization header as the gateway passed it on. */
  authorization?: string;
  requestId: string;
}

export interface SubgraphDefinition<Loaders> {
  name: AgencyName;
  /** Path of the SDL file kept beside the subgraph's code. */
  sdlPath: string;
  resolvers: GraphQLResolverMap<SubgraphContext<Loaders>>;
  entities: EntitySchema<any>[];
  migrations: (new () => MigrationInterface)[];
  createLoaders(db: DataSource): Loaders;
}

export function readSdl(definition: { sdlPath: string }): string {
  return fs.readFileSync(definition.sdlPath, 'utf8');
}

export function buildSchema<L>(definition: SubgraphDefinition<L>): GraphQLSchema {
  return buildSubgraphSchema({
    typeDefs: parse(readSdl(definition)),
    resolvers: { ...scalarResolvers, ...definition.resolvers } as GraphQLResolverMap<unknown>,
  });
}

export function createSubgraphServer<L>(definition: SubgraphDefinition<L>): ApolloServer<SubgraphContext<L>> {
  return new ApolloServer<SubgraphContext<L>>({
    schema: buildSchema(definition),
    introspection: introspectionEnabled(),
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    formatError,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
}

export function createContext<L>(
  definition: SubgraphDefinition<L>,
  db: DataSource,
  request: http.IncomingMessage,
): SubgraphContext<L> {
  return {
    db,
    loaders: definition.createLoaders(db),
    authorization: request.headers.authorization,
    requestId: requestIdOf(request),
  };
}

export async function databaseHealth(db: DataSource): Promise<HealthReport> {
  try {
    await db.query('SELECT 1');
    return { status: 'ok', database: 'up' };
  } catch {
    return { status: 'unavailable', database: 'down' };
  }
}

/** Serves one agency's subgraph over HTTP on its own data source. */
export async function startSubgraph<L>(
  definition: SubgraphDefinition<L>,
  db: DataSource,
  listen: { host: string; port: number },
): Promise<RunningServer> {
  const apollo = createSubgraphServer(definition);
  await apollo.start();
  const running = await serve({
    apollo,
    context: async (request) => createContext(definition, db, request),
    health: async () => ({ service: definition.name, ...(await databaseHealth(db)) }),
    ...listen,
  });
  return {
    ...running,
    close: async () => {
      await running.close();
      await apollo.stop();
    },
  };
}
