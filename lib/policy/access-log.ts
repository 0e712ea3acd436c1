/**
 * The access log: what the owner agency's own staff read of sensitive records (declared in
 * schema/roles/<agency>.yaml `sensitive:`), what they were refused there, and every write they
 * made, with its outcome. Same columns, guarantees and code as the disclosure log (lib/policy/audit.ts):
 * written in one insert per request before the response (fail closed), append-only at the database
 * level, each row's hash chained to the previous one (`npm run audit:verify`). `agreement_id` holds
 * the role grant (e.g. `housing/shelter_staff#1`).
 */
import { EntitySchema, MigrationInterface, QueryRunner } from 'typeorm';
import { DisclosureEntity, DisclosureRecord, GENESIS, ROW_TEXT_SQL } from './audit';

export const AccessEntity = new EntitySchema<DisclosureRecord>({
  ...DisclosureEntity.options,
  name: 'AccessRecord',
  tableName: 'access_log',
});

/** The same migration in every agency's database. */
export class CreateAccessLog1764300000001 implements MigrationInterface {
  name = 'CreateAccessLog1764300000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE access_log (
        seq bigint PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        request_id text NOT NULL,
        caller_subject text NOT NULL,
        caller_agency text NOT NULL,
        caller_role text NOT NULL,
        purpose text NOT NULL,
        person_id uuid,
        case_id uuid,
        coordinates text[] NOT NULL,
        agreement_id text,
        consent_id uuid,
        outcome text NOT NULL CHECK (outcome IN ('READ', 'DENIED', 'WRITTEN', 'WRITE_FAILED')),
        reason text,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE INDEX access_log_person_at ON access_log (person_id, at);

      CREATE FUNCTION access_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last_seq bigint;
        last_hash text;
        r access_log;
      BEGIN
        PERFORM pg_advisory_xact_lock(7263513);
        SELECT seq, hash INTO last_seq, last_hash FROM access_log ORDER BY seq DESC LIMIT 1;
        NEW.seq := coalesce(last_seq, 0) + 1;
        NEW.at := date_trunc('milliseconds', clock_timestamp());
        NEW.prev_hash := coalesce(last_hash, '${GENESIS}');
        r := NEW;
        NEW.hash := encode(sha256(convert_to(NEW.prev_hash || '|' || ${ROW_TEXT_SQL}, 'UTF8')), 'hex');
        RETURN NEW;
      END $$;
      CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log
        FOR EACH ROW EXECUTE FUNCTION access_log_chain();

      CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP;
      END $$;
      CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log
        FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
    `);
  }

  async down(): Promise<void> {
    throw new Error('the access log is kept: this migration is not reversible');
  }
}
