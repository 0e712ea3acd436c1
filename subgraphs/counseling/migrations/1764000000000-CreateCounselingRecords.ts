import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCounselingRecords1764000000000 implements MigrationInterface {
  name = 'CreateCounselingRecords1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE program_enrollment (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL,
        case_id uuid,
        mandate_id uuid,
        program_type text NOT NULL,
        provider_name text NOT NULL,
        referral_source text NOT NULL,
        enrolled_date date NOT NULL,
        required_sessions integer CHECK (required_sessions > 0),
        discharge_date date CHECK (discharge_date IS NULL OR discharge_date >= enrolled_date),
        discharge_outcome text CHECK (discharge_outcome IN ('COMPLETED', 'NON_COMPLIANT', 'WITHDRAWN', 'TRANSFERRED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((discharge_date IS NULL) = (discharge_outcome IS NULL))
      );
      CREATE INDEX program_enrollment_person_id ON program_enrollment (person_id);
      CREATE INDEX program_enrollment_case_id ON program_enrollment (case_id);
      CREATE INDEX program_enrollment_mandate_id ON program_enrollment (mandate_id);
      CREATE TABLE counseling_session (
        id uuid PRIMARY KEY,
        enrollment_id uuid NOT NULL REFERENCES program_enrollment (id),
        session_date date NOT NULL,
        format text NOT NULL,
        attendance text NOT NULL CHECK (attendance IN ('ATTENDED', 'EXCUSED_ABSENCE', 'UNEXCUSED_ABSENCE'))
      );
      CREATE INDEX counseling_session_enrollment_id ON counseling_session (enrollment_id);
      CREATE TABLE progress_report (
        id uuid PRIMARY KEY,
        enrollment_id uuid NOT NULL REFERENCES program_enrollment (id),
        report_date date NOT NULL,
        compliance text NOT NULL CHECK (compliance IN ('COMPLIANT', 'PARTIALLY_COMPLIANT', 'NON_COMPLIANT')),
        summary text NOT NULL,
        recipient_agency text NOT NULL
      );
      CREATE INDEX progress_report_enrollment_id ON progress_report (enrollment_id);
      CREATE TABLE clinical_note (
        id uuid PRIMARY KEY,
        enrollment_id uuid NOT NULL REFERENCES program_enrollment (id),
        written_at timestamptz NOT NULL,
        author text NOT NULL,
        body text NOT NULL
      );
      CREATE INDEX clinical_note_enrollment_id ON clinical_note (enrollment_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE clinical_note, progress_report, counseling_session, program_enrollment');
  }
}
