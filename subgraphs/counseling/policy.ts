/** Which counseling fields are public, owner-only or shared by agreement (schema/mous/counseling-*.yaml). */
import { SubgraphPolicy } from '../../lib/policy/classification';

/** The 42 CFR 2.32 notice that accompanies each disclosure of substance-use treatment records. */
export const PART2_REDISCLOSURE_NOTICE =
  'This record which has been disclosed to you is protected by federal confidentiality rules (42 CFR part 2). ' +
  'These rules prohibit you from using or disclosing this record, or testimony that describes the information ' +
  'contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, ' +
  'State, or local authority, against the patient, unless authorized by the consent of the patient, except as ' +
  'provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, ' +
  'the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of ' +
  'the following applies: (i) Further use or disclosure is expressly permitted by the written consent of the ' +
  'individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. ' +
  '(ii) You are a covered entity or business associate and have received the record for treatment, payment, or ' +
  'health care operations, or (iii) You have received the record from a covered entity or business associate as ' +
  'permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or other ' +
  'information is NOT sufficient to meet the required elements of written consent to further use or redisclose ' +
  'the record (see 42 CFR 2.31).';

const SUD = 'SUBSTANCE_USE_TREATMENT';

/** The notice an enrollment's disclosure must carry: substance-use treatment records are Part 2 records. */
export function redisclosureNoticeOf(enrollment: { programType?: unknown }): string | undefined {
  return enrollment.programType === SUD ? PART2_REDISCLOSURE_NOTICE : undefined;
}

export const counselingPolicy: SubgraphPolicy = {
  owner: 'counseling',
  // The notice field is public: anyone who may see the record must receive its notice (the
  // record scopes keep substance-use treatment records from anyone no agreement covers).
  public: ['Case.id', 'Person.id', 'ProgramMandate.id', 'ProgramEnrollment.redisclosureNotice'],
  ownerOnly: [
    'Mutation.*',
    'ProgramEnrollment.clinicalNotes',
    'ClinicalNote.*',
    'ProgressReport.summary',
    'Person.counselingDisclosures',
    'Person.counselingAccesses',
    'Access.*',
    'Person.treatmentConsents',
    'TreatmentConsent.*',
    'Disclosure.*',
  ],
  neverShared: ['ProgramEnrollment.clinicalNotes', 'ClinicalNote.*'],
  neverSharedReason: 'clinical notes stay with the provider',
  recordScopes: {
    court_mandated_non_sud: {
      type: 'ProgramEnrollment',
      description: 'enrollments answering a court mandate, other than substance-use treatment',
      test: (row) => row.mandateId !== null && row.mandateId !== undefined && row.programType !== SUD,
    },
    court_mandated_sud: {
      type: 'ProgramEnrollment',
      description: 'substance-use treatment enrollments answering a court mandate (42 CFR Part 2)',
      test: (row) => row.mandateId !== null && row.mandateId !== undefined && row.programType === SUD,
    },
    offender_programs_non_sud: {
      type: 'ProgramEnrollment',
      description: 'court-mandated offender programs (not victim counseling, not substance-use treatment)',
      // Mandated: only a respondent or defendant is ordered into a program; a victim who enrolls
      // on their own, in whatever program, is victim-service data.
      test: (row) =>
        row.mandateId !== null && row.mandateId !== undefined && row.programType !== SUD && row.programType !== 'VICTIM_COUNSELING',
    },
    victim_counseling: {
      type: 'ProgramEnrollment',
      description: 'victim counseling (never a mandate): victim-service data, released only for aggregates',
      test: (row) => row.programType === 'VICTIM_COUNSELING' && (row.mandateId === null || row.mandateId === undefined),
    },
  },
  noticeFor: (typeName, row) => (typeName === 'ProgramEnrollment' ? redisclosureNoticeOf(row) : undefined),
};
