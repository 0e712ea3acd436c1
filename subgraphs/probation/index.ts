import path from 'node:path';
import { SubgraphDefinition } from '../../lib/subgraph';
import { probationEntities } from './entities';
import { ProbationLoaders, createProbationLoaders } from './loaders';
import { CreateProbationRecords1764000000000 } from './migrations/1764000000000-CreateProbationRecords';
import { probationResolvers } from './resolvers';

export const probation: SubgraphDefinition<ProbationLoaders> = {
  name: 'probation',
  sdlPath: path.join(__dirname, 'schema.graphql'),
  resolvers: probationResolvers,
  entities: probationEntities,
  migrations: [CreateProbationRecords1764000000000],
  createLoaders: createProbationLoaders,
};
