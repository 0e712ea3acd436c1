import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The de-identified snapshot: no names, birth dates, docket numbers, addresses or free text; people
 * and cases only by keyed pseudonyms (HMAC, key outside the database). Cells are the published
 * tables, suppression applied. A refresh writes a new snapshot and makes it current in one
 * transaction, then deletes the snapshots before the previous one.
 */
export class CreateOutcomeSnapshot1764400000000 implements MigrationInterface {
  name = 'CreateOutcomeSnapshot1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outcome_snapshot (
        id integer PRIMARY KEY,
        taken_at timestamptz NOT NULL,
        as_of_date date NOT NULL,
        agreements text[] NOT NULL,
        cases integer NOT NULL,
        current boolean NOT NULL DEFAULT false
      );
      CREATE UNIQUE INDEX outcome_snapshot_one_current ON outcome_snapshot (current) WHERE current;
      CREATE TABLE outcome_record (
        snapshot_id integer NOT NULL REFERENCES outcome_snapshot (id) ON DELETE CASCADE,
        case_key text NOT NULL,
        record jsonb NOT NULL,
        PRIMARY KEY (snapshot_id, case_key)
      );
      CREATE TABLE outcome_cell (
        snapshot_id integer NOT NULL REFERENCES outcome_snapshot (id) ON DELETE CASCADE,
        metric text NOT NULL,
        grouping text NOT NULL,
        seq integer NOT NULL,
        key jsonb NOT NULL,
        count integer,
        numerator double precision,
        denominator double precision,
        rate double precision,
        median double precision,
        q1 double precision,
        q3 double precision,
        suppressed text CHECK (suppressed IN ('SMALL_CELL', 'COMPLEMENTARY')),
        PRIMARY KEY (snapshot_id, metric, grouping, seq)
      );
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE outcome_cell; DROP TABLE outcome_record; DROP TABLE outcome_snapshot');
  }
}
