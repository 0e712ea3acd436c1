/** The court's own records. */
import { EntitySchema } from 'typeorm';
import { boolean, createdAt, date, integer, primaryId, text, timestamp, uuid } from '../../lib/entity';

export interface Person {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string | null;
  createdAt?: Date;
}

export interface CourtCase {
  id: string;
  docketNumber: string;
  caseType: string;
  status: string;
  courtName: string;
  filedDate: string;
  /** Closed or dismissed on; null while open. */
  dispositionDate: string | null;
  createdAt?: Date;
}

export interface CaseParty {
  id: string;
  caseId: string;
  personId: string;
  role: string;
}

export interface Hearing {
  id: string;
  caseId: string;
  hearingType: string;
  scheduledAt: Date;
  courtroom: string | null;
  outcome: string | null;
}

export interface ProtectiveOrder {
  id: string;
  caseId: string;
  kind: string;
  status: string;
  protectedPersonId: string;
  restrainedPersonId: string;
  issuedDate: string;
  expiresDate: string | null;
  noContact: boolean;
  stayAwayDistanceFeet: number | null;
  firearmSurrender: boolean;
  vacateResidence: boolean;
  otherConditions: string | null;
}

export interface ProgramMandate {
  id: string;
  caseId: string;
  personId: string;
  programType: string;
  providerAgency: string;
  orderedDate: string;
  dueDate: string;
  requiredSessions: number | null;
  status: string;
}

export interface Referral {
  id: string;
  caseId: string;
  personId: string;
  serviceType: string;
  toAgency: string;
  referredDate: string;
  status: string;
}

export interface Violation {
  id: string;
  caseId: string;
  personId: string;
  violationType: string;
  reportedBy: string;
  probationReportId: string | null;
  occurredDate: string;
  description: string;
  finding: string;
}

export interface Sanction {
  id: string;
  caseId: string;
  violationId: string;
  sanctionType: string;
  imposedDate: string;
  description: string;
}

export const PersonEntity = new EntitySchema<Person>({
  name: 'Person',
  tableName: 'person',
  columns: {
    id: primaryId(),
    givenName: text('given_name'),
    familyName: text('family_name'),
    dateOfBirth: date('date_of_birth', true),
    createdAt: createdAt(),
  },
});

export const CaseEntity = new EntitySchema<CourtCase>({
  name: 'CourtCase',
  tableName: 'court_case',
  columns: {
    id: primaryId(),
    docketNumber: { ...text('docket_number'), unique: true },
    caseType: text('case_type'),
    status: text('status'),
    courtName: text('court_name'),
    filedDate: date('filed_date'),
    dispositionDate: date('disposition_date', true),
    createdAt: createdAt(),
  },
});

export const CasePartyEntity = new EntitySchema<CaseParty>({
  name: 'CaseParty',
  tableName: 'case_party',
  columns: {
    id: primaryId(),
    caseId: uuid('case_id'),
    personId: uuid('person_id'),
    role: text('role'),
  },
});

export const HearingEntity = new EntitySchema<Hearing>({
  name: 'Hearing',
  tableName: 'hearing',
  columns: {
    id: primaryId(),
    caseId: uuid('case_id'),
    hearingType: text('hearing_type'),
    scheduledAt: timestamp('scheduled_at'),
    courtroom: text('courtroom', true),
    outcome: text('outcome', true),
  },
});

export const ProtectiveOrderEntity = new EntitySchema<ProtectiveOrder>({
  name: 'ProtectiveOrder',
  tableName: 'protective_order',
  columns: {
    id: primaryId(),
    caseId: uuid('case_id'),
    kind: text('kind'),
    status: text('status'),
    protectedPersonId: uuid('protected_person_id'),
    restrainedPersonId: uuid('restrained_person_id'),
    issuedDate: date('issued_date'),
    expiresDate: date('expires_date', true),
    noContact: boolean('no_contact'),
    stayAwayDistanceFeet: integer('stay_away_distance_feet', true),
    firearmSurrender: boolean('firearm_surrender'),
    vacateResidence: boolean('vacate_residence'),
    otherConditions: text('other_conditions', true),
  },
});

export const ProgramMandateEntity = new EntitySchema<ProgramMandate>({
  name: 'ProgramMandate',
  tableName: 'program_mandate',
  columns: {
    id: primaryId(),
    caseId: uuid('case_id'),
    personId: uuid('person_id'),
    programType: text('program_type'),
    providerAgency: text('provider_agency'),
    orderedDate: date('ordered_date'),
    dueDate: date('due_date'),
    requiredSessions: integer('required_sessions', true),
    status: text('status'),
  },
});

export const ReferralEntity = new EntitySchema<Referral>({
  name: 'Referral',
  tableName: 'referral',
  columns: {
    id: primaryId(),
    caseId: uuid('case_id'),
    personId: uuid('person_id'),
    serviceType: text('service_type'),
    toAgency: text('to_agency'),
    referredDate: date('referred_date'),
    status: text('status'),
  },
});

export const ViolationEntity = new EntitySchema<Violation>({
  name: 'Violation',
  tableName: 'violation',
  columns: {
    id: primaryId(),
    caseId: uuid('case_id'),
    personId: uuid('person_id'),
    violationType: text('violation_type'),
    reportedBy: text('reported_by'),
    probationReportId: uuid('probation_report_id', true),
    occurredDate: date('occurred_date'),
    description: text('description'),
    finding: text('finding'),
  },
});

export const SanctionEntity = new EntitySchema<Sanction>({
  name: 'Sanction',
  tableName: 'sanction',
  columns: {
    id: primaryId(),
    caseId: uuid('case_id'),
    violationId: uuid('violation_id'),
    sanctionType: text('sanction_type'),
    imposedDate: date('imposed_date'),
    description: text('description'),
  },
});

export const courtsEntities = [
  PersonEntity,
  CaseEntity,
  CasePartyEntity,
  HearingEntity,
  ProtectiveOrderEntity,
  ProgramMandateEntity,
  ReferralEntity,
  ViolationEntity,
  SanctionEntity,
];
