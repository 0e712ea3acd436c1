/** Which probation fields are public, owner-only or shared by agreement (schema/mous/probation-*.yaml). */
import { SubgraphPolicy } from '../../lib/policy/classification';

export const probationPolicy: SubgraphPolicy = {
  owner: 'probation',
  public: ['Case.id', 'Person.id', 'ViolationReport.id'],
  ownerOnly: [
    'Mutation.*',
    'CheckIn.notes',
    'RiskAssessment.assessorName',
    'Person.probationDisclosures',
    'Person.probationAccesses',
    'Access.*',
    'Disclosure.*',
  ],
  neverShared: [],
  neverSharedReason: '',
  recordScopes: {},
};
