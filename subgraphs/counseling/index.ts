import path from 'node:path';
import { CreateDisclosureLog1764100000000, DisclosureEntity } from '../../lib/policy/audit';
import { AccessEntity, CreateAccessLog1764300000001 } from '../../lib/policy/access-log';
import { ConsentEntity, CreateConsent1764100000001 } from '../../lib/policy/consent';
import { SubgraphDefinition } from '../../lib/subgraph';
import { CreateIdempotencyRecords1764200000000, IdempotencyRecordEntity } from '../../lib/idempotency';
import { OneEnrollmentPerMandate1764200000001 } from './migrations/1764200000001-OneEnrollmentPerMandate';
import { counselingEntities } from './entities';
import { CounselingLoaders, createCounselingLoaders } from './loaders';
import { CreateCounselingRecords1764000000000 } from './migrations/1764000000000-CreateCounselingRecords';
import { counselingPolicy } from './policy';
import { counselingResolvers } from './resolvers';
import { ROOT } from '../../lib/paths';

export const counseling: SubgraphDefinition<CounselingLoaders> = {
  name: 'counseling',
  sdlPath: path.join(ROOT, 'subgraphs', 'counseling', 'schema.graphql'),
  resolvers: counselingResolvers,
  entities: [...counselingEntities, ConsentEntity, DisclosureEntity, IdempotencyRecordEntity, AccessEntity],
  migrations: [CreateCounselingRecords1764000000000, CreateDisclosureLog1764100000000, CreateConsent1764100000001, CreateIdempotencyRecords1764200000000, OneEnrollmentPerMandate1764200000001, CreateAccessLog1764300000001],
  createLoaders: createCounselingLoaders,
  policy: counselingPolicy,
};
