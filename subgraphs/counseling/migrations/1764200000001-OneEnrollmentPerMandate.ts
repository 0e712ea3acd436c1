import { MigrationInterface, QueryRunner } from 'typeorm';

/** A court mandate has at most one enrollment per person; enrollInProgram checked it only in code. */
export class OneEnrollmentPerMandate1764200000001 implements MigrationInterface {
  name = 'OneEnrollmentPerMandate1764200000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'CREATE UNIQUE INDEX program_enrollment_one_per_mandate ON program_enrollment (mandate_id, person_id) WHERE mandate_id IS NOT NULL',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX program_enrollment_one_per_mandate');
  }
}
