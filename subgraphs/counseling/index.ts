import path from 'node:path';
import { SubgraphDefinition } from '../../lib/subgraph';
import { counselingEntities } from './entities';
import { CounselingLoaders, createCounselingLoaders } from './loaders';
import { CreateCounselingRecords1764000000000 } from './migrations/1764000000000-CreateCounselingRecords';
import { counselingResolvers } from './resolvers';

export const counseling: SubgraphDefinition<CounselingLoaders> = {
  name: 'counseling',
  sdlPath: path.join(__dirname, 'schema.graphql'),
  resolvers: counselingResolvers,
  entities: counselingEntities,
  migrations: [CreateCounselingRecords1764000000000],
  createLoaders: createCounselingLoaders,
};
