import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateHousingRecords1764000000000 implements MigrationInterface {
  name = 'CreateHousingRecords1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE shelter (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        address text NOT NULL,
        city text NOT NULL,
        capacity integer NOT NULL CHECK (capacity > 0)
      );
      CREATE TABLE shelter_stay (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL,
        case_id uuid,
        shelter_id uuid NOT NULL REFERENCES shelter (id),
        admitted_date date NOT NULL,
        exited_date date CHECK (exited_date IS NULL OR exited_date >= admitted_date),
        exit_destination text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((exited_date IS NULL) = (exit_destination IS NULL))
      );
      CREATE INDEX shelter_stay_person_id ON shelter_stay (person_id);
      CREATE INDEX shelter_stay_case_id ON shelter_stay (case_id);
      CREATE TABLE housing_application (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL,
        case_id uuid,
        program text NOT NULL,
        applied_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('SUBMITTED', 'APPROVED', 'DENIED', 'HOUSED', 'WITHDRAWN')),
        decision_date date CHECK (decision_date IS NULL OR decision_date >= applied_date),
        monthly_assistance integer CHECK (monthly_assistance >= 0),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX housing_application_person_id ON housing_application (person_id);
      CREATE INDEX housing_application_case_id ON housing_application (case_id);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE housing_application, shelter_stay, shelter');
  }
}
