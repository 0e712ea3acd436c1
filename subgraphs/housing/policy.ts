/** Which housing fields are public, owner-only or shared by agreement (schema/mous/housing-*.yaml). */
import { SubgraphPolicy } from '../../lib/policy/classification';

export const housingPolicy: SubgraphPolicy = {
  owner: 'housing',
  public: ['Case.id', 'Person.id'],
  ownerOnly: [
    'Mutation.*',
    'Query.*',
    'Case.shelterStays',
    'Case.housingApplications',
    'ShelterStay.*',
    'Shelter.*',
    'HousingApplication.*',
    'Person.housingDisclosures',
    'Person.housingConsents',
    'HousingConsent.*',
    'Disclosure.*',
  ],
  neverShared: ['Shelter.*', 'ShelterStay.shelter', 'Query.*'],
  neverSharedReason: "a shelter's name and address reveal where a victim is",
  recordScopes: {},
};
