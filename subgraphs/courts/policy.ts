/** Which court fields are public, owner-only or shared by agreement (schema/mous/courts-*.yaml). */
import { SubgraphPolicy } from '../../lib/policy/classification';

export const courtsPolicy: SubgraphPolicy = {
  owner: 'courts',
  public: ['Case.id', 'Person.id', 'ProgramMandate.id', 'ViolationReport.id', 'CaseConnection.*', 'PageInfo.*'],
  ownerOnly: [
    'Mutation.*',
    'Query.person',
    'Person.courtsDisclosures',
    'Person.courtsAccesses',
    'Access.*',
    'Disclosure.*',
  ],
  neverShared: [],
  neverSharedReason: '',
  recordScopes: {},
};
