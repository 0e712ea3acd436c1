import path from 'node:path';
import { ROOT } from '../../lib/paths';
import { CreateDisclosureLog1764100000000, DisclosureEntity } from '../../lib/policy/audit';
import { AccessEntity, CreateAccessLog1764300000001 } from '../../lib/policy/access-log';
import { ConsentEntity, CreateConsent1764100000001 } from '../../lib/policy/consent';
import { SubgraphDefinition } from '../../lib/subgraph';
import { CreateIdempotencyRecords1764200000000, IdempotencyRecordEntity } from '../../lib/idempotency';
import { outcomesEntities } from './entities';
import { OutcomesLoaders, createOutcomesLoaders } from './loaders';
import { CreateOutcomeSnapshot1764400000000 } from './migrations/1764400000000-CreateOutcomeSnapshot';
import { outcomesPolicy } from './policy';
import { outcomesResolvers } from './resolvers';

/** The fifth subgraph: the honest broker's de-identified snapshot and the analysts' aggregates. */
export const outcomes: SubgraphDefinition<OutcomesLoaders> = {
  name: 'outcomes',
  sdlPath: path.join(ROOT, 'subgraphs', 'outcomes', 'schema.graphql'),
  resolvers: outcomesResolvers,
  // The shared tables every subgraph has (the disclosure log records what analysts were answered).
  entities: [...outcomesEntities, ConsentEntity, DisclosureEntity, IdempotencyRecordEntity, AccessEntity],
  migrations: [CreateDisclosureLog1764100000000, CreateConsent1764100000001, CreateIdempotencyRecords1764200000000, CreateAccessLog1764300000001, CreateOutcomeSnapshot1764400000000],
  createLoaders: createOutcomesLoaders,
  policy: outcomesPolicy,
};
