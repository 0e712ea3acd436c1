import path from 'node:path';
import { CreateDisclosureLog1764100000000, DisclosureEntity } from '../../lib/policy/audit';
import { AccessEntity, CreateAccessLog1764300000001 } from '../../lib/policy/access-log';
import { ConsentEntity, CreateConsent1764100000001 } from '../../lib/policy/consent';
import { SubgraphDefinition } from '../../lib/subgraph';
import { CreateIdempotencyRecords1764200000000, IdempotencyRecordEntity } from '../../lib/idempotency';
import { probationEntities } from './entities';
import { ProbationLoaders, createProbationLoaders } from './loaders';
import { CreateProbationRecords1764000000000 } from './migrations/1764000000000-CreateProbationRecords';
import { probationPolicy } from './policy';
import { probationResolvers } from './resolvers';
import { ROOT } from '../../lib/paths';

export const probation: SubgraphDefinition<ProbationLoaders> = {
  name: 'probation',
  sdlPath: path.join(ROOT, 'subgraphs', 'probation', 'schema.graphql'),
  resolvers: probationResolvers,
  entities: [...probationEntities, ConsentEntity, DisclosureEntity, IdempotencyRecordEntity, AccessEntity],
  migrations: [CreateProbationRecords1764000000000, CreateDisclosureLog1764100000000, CreateConsent1764100000001, CreateIdempotencyRecords1764200000000, CreateAccessLog1764300000001],
  createLoaders: createProbationLoaders,
  policy: probationPolicy,
};
