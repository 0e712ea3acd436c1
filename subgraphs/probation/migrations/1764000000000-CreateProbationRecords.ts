import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProbationRecords1764000000000 implements MigrationInterface {
  name = 'CreateProbationRecords1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE supervision (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL,
        case_id uuid NOT NULL,
        officer_name text NOT NULL,
        level text NOT NULL CHECK (level IN ('LOW', 'MODERATE', 'HIGH', 'INTENSIVE')),
        conditions text[] NOT NULL,
        start_date date NOT NULL,
        end_date date NOT NULL CHECK (end_date >= start_date),
        status text NOT NULL CHECK (status IN ('ACTIVE', 'COMPLETED', 'REVOKED', 'ABSCONDED')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX supervision_person_id ON supervision (person_id);
      CREATE INDEX supervision_case_id ON supervision (case_id);
      CREATE TABLE check_in (
        id uuid PRIMARY KEY,
        supervision_id uuid NOT NULL REFERENCES supervision (id),
        check_in_date date NOT NULL,
        method text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('COMPLETED', 'MISSED', 'RESCHEDULED')),
        notes text
      );
      CREATE INDEX check_in_supervision_id ON check_in (supervision_id);
      CREATE TABLE drug_test (
        id uuid PRIMARY KEY,
        supervision_id uuid NOT NULL REFERENCES supervision (id),
        collected_date date NOT NULL,
        test_type text NOT NULL,
        result text NOT NULL CHECK (result IN ('NEGATIVE', 'POSITIVE', 'DILUTE', 'REFUSED')),
        substances_detected text[] NOT NULL,
        CHECK (result = 'POSITIVE' OR cardinality(substances_detected) = 0)
      );
      CREATE INDEX drug_test_supervision_id ON drug_test (supervision_id);
      CREATE TABLE risk_assessment (
        id uuid PRIMARY KEY,
        supervision_id uuid NOT NULL REFERENCES supervision (id),
        instrument text NOT NULL,
        score integer NOT NULL CHECK (score >= 0),
        risk_level text NOT NULL CHECK (risk_level IN ('LOW', 'MODERATE', 'HIGH', 'SEVERE')),
        assessed_date date NOT NULL,
        assessor_name text NOT NULL
      );
      CREATE INDEX risk_assessment_supervision_id ON risk_assessment (supervision_id);
      CREATE TABLE compliance_report (
        id uuid PRIMARY KEY,
        supervision_id uuid NOT NULL REFERENCES supervision (id),
        report_date date NOT NULL,
        compliance text NOT NULL CHECK (compliance IN ('COMPLIANT', 'PARTIALLY_COMPLIANT', 'NON_COMPLIANT')),
        summary text NOT NULL
      );
      CREATE INDEX compliance_report_supervision_id ON compliance_report (supervision_id);
      CREATE TABLE violation_report (
        id uuid PRIMARY KEY,
        supervision_id uuid NOT NULL REFERENCES supervision (id),
        case_id uuid NOT NULL,
        report_date date NOT NULL,
        violation_type text NOT NULL,
        description text NOT NULL,
        status text NOT NULL CHECK (status IN ('FILED', 'ACKNOWLEDGED'))
      );
      CREATE INDEX violation_report_supervision_id ON violation_report (supervision_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      'DROP TABLE violation_report, compliance_report, risk_assessment, drug_test, check_in, supervision',
    );
  }
}
