import { MigrationInterface, QueryRunner } from 'typeorm';

/** The day a case was closed or dismissed (the index date of the outcome metrics); null while open. */
export class AddCaseDisposition1764400000000 implements MigrationInterface {
  name = 'AddCaseDisposition1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE court_case
        ADD COLUMN disposition_date date,
        ADD CONSTRAINT court_case_disposition_after_filing CHECK (disposition_date IS NULL OR disposition_date >= filed_date),
        ADD CONSTRAINT court_case_open_has_no_disposition CHECK (status <> 'OPEN' OR disposition_date IS NULL);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE court_case
        DROP CONSTRAINT court_case_open_has_no_disposition,
        DROP CONSTRAINT court_case_disposition_after_filing,
        DROP COLUMN disposition_date;
    `);
  }
}
