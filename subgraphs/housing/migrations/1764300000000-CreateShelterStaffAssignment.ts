import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which shelter each member of shelter staff works at, kept by housing (not by the identity
 * provider): an assignment ends the moment housing deletes it, and the role policy's
 * `assigned_shelter` scope reads it on each request.
 */
export class CreateShelterStaffAssignment1764300000000 implements MigrationInterface {
  name = 'CreateShelterStaffAssignment1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE shelter_staff_assignment (
        id uuid PRIMARY KEY,
        staff_subject text NOT NULL,
        shelter_id uuid NOT NULL REFERENCES shelter (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (staff_subject, shelter_id)
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE shelter_staff_assignment');
  }
}
