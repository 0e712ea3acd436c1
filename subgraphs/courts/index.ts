import path from 'node:path';
import { SubgraphDefinition } from '../../lib/subgraph';
import { courtsEntities } from './entities';
import { CourtsLoaders, createCourtsLoaders } from './loaders';
import { CreateCourtRecords1764000000000 } from './migrations/1764000000000-CreateCourtRecords';
import { courtsResolvers } from './resolvers';

export const courts: SubgraphDefinition<CourtsLoaders> = {
  name: 'courts',
  sdlPath: path.join(__dirname, 'schema.graphql'),
  resolvers: courtsResolvers,
  entities: courtsEntities,
  migrations: [CreateCourtRecords1764000000000],
  createLoaders: createCourtsLoaders,
};
