/** Which housing fields are public, owner-only or shared by agreement (schema/mous/housing-*.yaml). */
import { SubgraphPolicy } from '../../lib/policy/classification';

export const housingPolicy: SubgraphPolicy = {
  owner: 'housing',
  public: ['Case.id', 'Person.id'],
  ownerOnly: [
    'Mutation.*',
    'Query.*',
    // Stays and applications stay with housing, but for the dates and person the outcomes
    // service reads, under the victim's written consent, to measure engagement (MOU-2026-HSG-O1).
    'ShelterStay.id',
    'ShelterStay.case',
    'ShelterStay.shelter',
    'ShelterStay.exitedDate',
    'ShelterStay.exitDestination',
    'ShelterStay.status',
    'Shelter.*',
    'HousingApplication.id',
    'HousingApplication.case',
    'HousingApplication.program',
    'HousingApplication.status',
    'HousingApplication.decisionDate',
    'HousingApplication.monthlyAssistance',
    'Person.housingDisclosures',
    'Person.housingAccesses',
    'Access.*',
    'Person.housingConsents',
    'HousingConsent.*',
    'Disclosure.*',
  ],
  neverShared: ['Shelter.*', 'ShelterStay.shelter', 'Query.*'],
  neverSharedReason: "a shelter's name and address reveal where a victim is",
  recordScopes: {},
  staffScopes: {
    assigned_shelter: {
      description: 'stays at, and the shelters of, the shelters the caller is assigned to (shelter_staff_assignment)',
      load: async (db, subject) =>
        new Set<string>(
          (await db.query('SELECT shelter_id AS "shelterId" FROM shelter_staff_assignment WHERE staff_subject = $1', [subject])).map(
            (r: { shelterId: string }) => r.shelterId,
          ),
        ),
      keyOf: {
        ShelterStay: (row) => row.shelterId as string | undefined,
        Shelter: (row) => row.id as string | undefined,
      },
    },
  },
};
