/** Which outcomes fields are public, owner-only or shared by agreement (schema/mous/outcomes-*.yaml). */
import { SubgraphPolicy } from '../../lib/policy/classification';

export const outcomesPolicy: SubgraphPolicy = {
  owner: 'outcomes',
  // Nothing is public: every field is released to analysts by an agreement, metric by metric.
  public: [],
  ownerOnly: [],
  neverShared: [],
  neverSharedReason: '',
  recordScopes: {},
};
