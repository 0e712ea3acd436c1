/** The counseling and treatment provider's own records. */
import { EntitySchema } from 'typeorm';
import { createdAt, date, integer, primaryId, text, timestamp, uuid } from '../../lib/entity';

export interface ProgramEnrollment {
  id: string;
  personId: string;
  caseId: string | null;
  mandateId: string | null;
  programType: string;
  providerName: string;
  referralSource: string;
  enrolledDate: string;
  requiredSessions: number | null;
  dischargeDate: string | null;
  dischargeOutcome: string | null;
  createdAt?: Date;
}

export interface CounselingSession {
  id: string;
  enrollmentId: string;
  sessionDate: string;
  format: string;
  attendance: string;
}

export interface ProgressReport {
  id: string;
  enrollmentId: string;
  reportDate: string;
  compliance: string;
  summary: string;
  recipientAgency: string;
}

export interface ClinicalNote {
  id: string;
  enrollmentId: string;
  writtenAt: Date;
  author: string;
  body: string;
}

export const EnrollmentEntity = new EntitySchema<ProgramEnrollment>({
  name: 'ProgramEnrollment',
  tableName: 'program_enrollment',
  columns: {
    id: primaryId(),
    personId: uuid('person_id'),
    caseId: uuid('case_id', true),
    mandateId: uuid('mandate_id', true),
    programType: text('program_type'),
    providerName: text('provider_name'),
    referralSource: text('referral_source'),
    enrolledDate: date('enrolled_date'),
    requiredSessions: integer('required_sessions', true),
    dischargeDate: date('discharge_date', true),
    dischargeOutcome: text('discharge_outcome', true),
    createdAt: createdAt(),
  },
  // Migration 1764200000001: one enrollment per mandate and person.
  indices: [{ name: 'program_enrollment_one_per_mandate', columns: ['mandateId', 'personId'], unique: true, where: 'mandate_id IS NOT NULL' }],
});

export const SessionEntity = new EntitySchema<CounselingSession>({
  name: 'CounselingSession',
  tableName: 'counseling_session',
  columns: {
    id: primaryId(),
    enrollmentId: uuid('enrollment_id'),
    sessionDate: date('session_date'),
    format: text('format'),
    attendance: text('attendance'),
  },
});

export const ProgressReportEntity = new EntitySchema<ProgressReport>({
  name: 'ProgressReport',
  tableName: 'progress_report',
  columns: {
    id: primaryId(),
    enrollmentId: uuid('enrollment_id'),
    reportDate: date('report_date'),
    compliance: text('compliance'),
    summary: text('summary'),
    recipientAgency: text('recipient_agency'),
  },
});

export const ClinicalNoteEntity = new EntitySchema<ClinicalNote>({
  name: 'ClinicalNote',
  tableName: 'clinical_note',
  columns: {
    id: primaryId(),
    enrollmentId: uuid('enrollment_id'),
    writtenAt: timestamp('written_at'),
    author: text('author'),
    body: text('body'),
  },
});

export const counselingEntities = [EnrollmentEntity, SessionEntity, ProgressReportEntity, ClinicalNoteEntity];
