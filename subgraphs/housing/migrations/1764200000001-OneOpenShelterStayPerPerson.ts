import { MigrationInterface, QueryRunner } from 'typeorm';

/** A person has at most one current (not exited) shelter stay; admitToShelter checked it only in code. */
export class OneOpenShelterStayPerPerson1764200000001 implements MigrationInterface {
  name = 'OneOpenShelterStayPerPerson1764200000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE UNIQUE INDEX shelter_stay_one_open_per_person ON shelter_stay (person_id) WHERE exited_date IS NULL');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX shelter_stay_one_open_per_person');
  }
}
