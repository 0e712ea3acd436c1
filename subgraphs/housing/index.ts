import path from 'node:path';
import { SubgraphDefinition } from '../../lib/subgraph';
import { housingEntities } from './entities';
import { HousingLoaders, createHousingLoaders } from './loaders';
import { CreateHousingRecords1764000000000 } from './migrations/1764000000000-CreateHousingRecords';
import { housingResolvers } from './resolvers';

export const housing: SubgraphDefinition<HousingLoaders> = {
  name: 'housing',
  sdlPath: path.join(__dirname, 'schema.graphql'),
  resolvers: housingResolvers,
  entities: housingEntities,
  migrations: [CreateHousingRecords1764000000000],
  createLoaders: createHousingLoaders,
};
