import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCourtRecords1764000000000 implements MigrationInterface {
  name = 'CreateCourtRecords1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE person (
        id uuid PRIMARY KEY,
        given_name text NOT NULL,
        family_name text NOT NULL,
        date_of_birth date,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE court_case (
        id uuid PRIMARY KEY,
        docket_number text NOT NULL UNIQUE,
        case_type text NOT NULL CHECK (case_type IN ('CRIMINAL_DOMESTIC_VIOLENCE', 'CIVIL_PROTECTION_ORDER')),
        status text NOT NULL CHECK (status IN ('OPEN', 'CLOSED', 'DISMISSED')),
        court_name text NOT NULL,
        filed_date date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE case_party (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES court_case (id),
        person_id uuid NOT NULL REFERENCES person (id),
        role text NOT NULL CHECK (role IN ('VICTIM', 'PETITIONER', 'RESPONDENT', 'DEFENDANT')),
        UNIQUE (case_id, person_id, role)
      );
      CREATE INDEX case_party_case_id ON case_party (case_id);
      CREATE INDEX case_party_person_id ON case_party (person_id);
      CREATE TABLE hearing (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES court_case (id),
        hearing_type text NOT NULL,
        scheduled_at timestamptz NOT NULL,
        courtroom text,
        outcome text
      );
      CREATE INDEX hearing_case_id ON hearing (case_id);
      CREATE TABLE protective_order (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES court_case (id),
        kind text NOT NULL CHECK (kind IN ('EMERGENCY', 'TEMPORARY', 'FINAL')),
        status text NOT NULL CHECK (status IN ('ACTIVE', 'EXPIRED', 'VACATED')),
        protected_person_id uuid NOT NULL REFERENCES person (id),
        restrained_person_id uuid NOT NULL REFERENCES person (id),
        issued_date date NOT NULL,
        expires_date date CHECK (expires_date IS NULL OR expires_date >= issued_date),
        no_contact boolean NOT NULL,
        stay_away_distance_feet integer CHECK (stay_away_distance_feet > 0),
        firearm_surrender boolean NOT NULL,
        vacate_residence boolean NOT NULL,
        other_conditions text
      );
      CREATE INDEX protective_order_case_id ON protective_order (case_id);
      CREATE TABLE program_mandate (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES court_case (id),
        person_id uuid NOT NULL REFERENCES person (id),
        program_type text NOT NULL,
        provider_agency text NOT NULL,
        ordered_date date NOT NULL,
        due_date date NOT NULL CHECK (due_date >= ordered_date),
        required_sessions integer CHECK (required_sessions > 0),
        status text NOT NULL CHECK (status IN ('ORDERED', 'IN_PROGRESS', 'COMPLETED', 'NON_COMPLIANT', 'VACATED'))
      );
      CREATE INDEX program_mandate_case_id ON program_mandate (case_id);
      CREATE TABLE referral (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES court_case (id),
        person_id uuid NOT NULL REFERENCES person (id),
        service_type text NOT NULL,
        to_agency text NOT NULL,
        referred_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('SENT', 'ACCEPTED', 'DECLINED'))
      );
      CREATE INDEX referral_case_id ON referral (case_id);
      CREATE TABLE violation (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES court_case (id),
        person_id uuid NOT NULL REFERENCES person (id),
        violation_type text NOT NULL,
        reported_by text NOT NULL,
        probation_report_id uuid,
        occurred_date date NOT NULL,
        description text NOT NULL,
        finding text NOT NULL CHECK (finding IN ('PENDING', 'SUSTAINED', 'NOT_SUSTAINED'))
      );
      CREATE INDEX violation_case_id ON violation (case_id);
      CREATE TABLE sanction (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES court_case (id),
        violation_id uuid NOT NULL REFERENCES violation (id),
        sanction_type text NOT NULL,
        imposed_date date NOT NULL,
        description text NOT NULL
      );
      CREATE INDEX sanction_case_id ON sanction (case_id);
      CREATE INDEX sanction_violation_id ON sanction (violation_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      'DROP TABLE sanction, violation, referral, program_mandate, protective_order, hearing, case_party, court_case, person',
    );
  }
}
