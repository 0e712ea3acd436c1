import path from 'node:path';
import { CreateDisclosureLog1764100000000, DisclosureEntity } from '../../lib/policy/audit';
import { AccessEntity, CreateAccessLog1764300000001 } from '../../lib/policy/access-log';
import { ConsentEntity, CreateConsent1764100000001 } from '../../lib/policy/consent';
import { SubgraphDefinition } from '../../lib/subgraph';
import { CreateIdempotencyRecords1764200000000, IdempotencyRecordEntity } from '../../lib/idempotency';
import { courtsEntities } from './entities';
import { CourtsLoaders, createCourtsLoaders } from './loaders';
import { CreateCourtRecords1764000000000 } from './migrations/1764000000000-CreateCourtRecords';
import { AddCaseDisposition1764400000000 } from './migrations/1764400000000-AddCaseDisposition';
import { courtsPolicy } from './policy';
import { courtsResolvers } from './resolvers';
import { ROOT } from '../../lib/paths';

export const courts: SubgraphDefinition<CourtsLoaders> = {
  name: 'courts',
  sdlPath: path.join(ROOT, 'subgraphs', 'courts', 'schema.graphql'),
  resolvers: courtsResolvers,
  entities: [...courtsEntities, ConsentEntity, DisclosureEntity, IdempotencyRecordEntity, AccessEntity],
  migrations: [CreateCourtRecords1764000000000, CreateDisclosureLog1764100000000, CreateConsent1764100000001, CreateIdempotencyRecords1764200000000, CreateAccessLog1764300000001, AddCaseDisposition1764400000000],
  createLoaders: createCourtsLoaders,
  policy: courtsPolicy,
};
