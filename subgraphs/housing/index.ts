import path from 'node:path';
import { CreateDisclosureLog1764100000000, DisclosureEntity } from '../../lib/policy/audit';
import { AccessEntity, CreateAccessLog1764300000001 } from '../../lib/policy/access-log';
import { ConsentEntity, CreateConsent1764100000001 } from '../../lib/policy/consent';
import { SubgraphDefinition } from '../../lib/subgraph';
import { CreateIdempotencyRecords1764200000000, IdempotencyRecordEntity } from '../../lib/idempotency';
import { OneOpenShelterStayPerPerson1764200000001 } from './migrations/1764200000001-OneOpenShelterStayPerPerson';
import { housingEntities } from './entities';
import { HousingLoaders, createHousingLoaders } from './loaders';
import { CreateHousingRecords1764000000000 } from './migrations/1764000000000-CreateHousingRecords';
import { CreateShelterStaffAssignment1764300000000 } from './migrations/1764300000000-CreateShelterStaffAssignment';
import { housingPolicy } from './policy';
import { housingResolvers } from './resolvers';
import { ROOT } from '../../lib/paths';

export const housing: SubgraphDefinition<HousingLoaders> = {
  name: 'housing',
  sdlPath: path.join(ROOT, 'subgraphs', 'housing', 'schema.graphql'),
  resolvers: housingResolvers,
  entities: [...housingEntities, ConsentEntity, DisclosureEntity, IdempotencyRecordEntity, AccessEntity],
  migrations: [CreateHousingRecords1764000000000, CreateDisclosureLog1764100000000, CreateConsent1764100000001, CreateIdempotencyRecords1764200000000, OneOpenShelterStayPerPerson1764200000001, CreateAccessLog1764300000001, CreateShelterStaffAssignment1764300000000],
  createLoaders: createHousingLoaders,
  policy: housingPolicy,
};
