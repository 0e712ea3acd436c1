/**
 * The disclosure log: every field released to another agency and every refusal, one row per
 * (person, case, agreement, consent, outcome, reason) with the coordinates concerned, written in
 * one statement per request before the response leaves the subgraph. The table is append-only at
 * the database level and each row's hash is chained to the previous row's.
 */
import { selectColumns } from '../entity';
import { createHash } from 'node:crypto';
import { ApolloServerPlugin } from '@apollo/server';
import { DataSource, EntitySchema, MigrationInterface, QueryRunner } from 'typeorm';
import type { Caller } from '../auth/identity';
import { logger } from '../logger';

/** Disclosure log: RELEASED, DENIED. Access log (the owner's own staff): READ, WRITTEN, WRITE_FAILED, DENIED. */
export type Outcome = 'RELEASED' | 'DENIED' | 'READ' | 'WRITTEN' | 'WRITE_FAILED';

export interface Subject {
  personId?: string;
  caseId?: string;
}

export interface DisclosureRecord {
  seq: string;
  at: Date;
  requestId: string;
  callerSubject: string;
  callerAgency: string;
  callerRole: string;
  purpose: string;
  personId: string | null;
  caseId: string | null;
  coordinates: string[];
  agreementId: string | null;
  consentId: string | null;
  outcome: string;
  reason: string | null;
  prevHash: string;
  hash: string;
}

export const DisclosureEntity = new EntitySchema<DisclosureRecord>({
  name: 'DisclosureRecord',
  tableName: 'disclosure_log',
  columns: {
    seq: { type: 'bigint', primary: true },
    at: { type: 'timestamptz', name: 'at' },
    requestId: { type: 'text', name: 'request_id' },
    callerSubject: { type: 'text', name: 'caller_subject' },
    callerAgency: { type: 'text', name: 'caller_agency' },
    callerRole: { type: 'text', name: 'caller_role' },
    purpose: { type: 'text', name: 'purpose' },
    personId: { type: 'uuid', name: 'person_id', nullable: true },
    caseId: { type: 'uuid', name: 'case_id', nullable: true },
    coordinates: { type: 'text', array: true, name: 'coordinates' },
    agreementId: { type: 'text', name: 'agreement_id', nullable: true },
    consentId: { type: 'uuid', name: 'consent_id', nullable: true },
    outcome: { type: 'text', name: 'outcome' },
    reason: { type: 'text', name: 'reason', nullable: true },
    prevHash: { type: 'text', name: 'prev_hash' },
    hash: { type: 'text', name: 'hash' },
  },
});

/** The text each row's hash covers; `verifyChain` recomputes it the same way. */
export const ROW_TEXT_SQL = `concat_ws('|', r.seq::text, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  r.request_id, r.caller_subject, r.caller_agency, r.caller_role, r.purpose, coalesce(r.person_id::text, ''),
  coalesce(r.case_id::text, ''), array_to_string(r.coordinates, ','), coalesce(r.agreement_id, ''),
  coalesce(r.consent_id::text, ''), r.outcome, coalesce(r.reason, ''))`;

export function rowText(r: DisclosureRecord): string {
  return [String(r.seq), new Date(r.at).toISOString(), r.requestId, r.callerSubject, r.callerAgency, r.callerRole,
    r.purpose, r.personId ?? '', r.caseId ?? '', r.coordinates.join(','), r.agreementId ?? '', r.consentId ?? '',
    r.outcome, r.reason ?? ''].join('|');
}

export const GENESIS = 'GENESIS';

export function chainHash(prevHash: string, r: DisclosureRecord): string {
  return createHash('sha256').update(`${prevHash}|${rowText(r)}`, 'utf8').digest('hex');
}

/** The same migration in every agency's database (the log, its chain and its guards). */
export class CreateDisclosureLog1764100000000 implements MigrationInterface {
  name = 'CreateDisclosureLog1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE disclosure_log (
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
        outcome text NOT NULL CHECK (outcome IN ('RELEASED', 'DENIED')),
        reason text,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE INDEX disclosure_log_person_at ON disclosure_log (person_id, at);

      CREATE FUNCTION disclosure_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        last_seq bigint;
        last_hash text;
        r disclosure_log;
      BEGIN
        -- One writer at a time extends the chain.
        PERFORM pg_advisory_xact_lock(7263512);
        SELECT seq, hash INTO last_seq, last_hash FROM disclosure_log ORDER BY seq DESC LIMIT 1;
        NEW.seq := coalesce(last_seq, 0) + 1;
        NEW.at := date_trunc('milliseconds', clock_timestamp());
        NEW.prev_hash := coalesce(last_hash, '${GENESIS}');
        r := NEW;
        NEW.hash := encode(sha256(convert_to(NEW.prev_hash || '|' || ${ROW_TEXT_SQL}, 'UTF8')), 'hex');
        RETURN NEW;
      END $$;
      CREATE TRIGGER disclosure_log_chain BEFORE INSERT ON disclosure_log
        FOR EACH ROW EXECUTE FUNCTION disclosure_log_chain();

      CREATE FUNCTION disclosure_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'disclosure_log is append-only: % refused', TG_OP;
      END $$;
      CREATE TRIGGER disclosure_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON disclosure_log
        FOR EACH STATEMENT EXECUTE FUNCTION disclosure_log_append_only();
    `);
  }

  async down(): Promise<void> {
    throw new Error('the disclosure log is kept: this migration is not reversible');
  }
}

/**
 * What was decided about some coordinates: released under an agreement (and consent), or refused
 * for a reason. Made once per decision kind (`grant()` interns them), so recording a field is a
 * lookup, not a new key.
 */
export interface Grant {
  readonly outcome: Outcome;
  readonly agreementId: string | null;
  readonly consentId: string | null;
  readonly reason: string | null;
  readonly key: string;
}

const GRANTS = new Map<string, Grant>();

export function grant(outcome: Outcome, details: { agreementId?: string; consentId?: string; reason?: string } = {}): Grant {
  const key = `${outcome}|${details.agreementId ?? ''}|${details.consentId ?? ''}|${details.reason ?? ''}`;
  let found = GRANTS.get(key);
  if (!found) {
    // Consent ids are unbounded over a process's life; everything else is a handful per agreement.
    found = { outcome, agreementId: details.agreementId ?? null, consentId: details.consentId ?? null, reason: details.reason ?? null, key };
    if (!details.consentId) GRANTS.set(key, found);
  }
  return found;
}

interface Entry {
  subject: Subject;
  grant: Grant;
  coordinates: Set<string>;
}

/** Where a collector keeps, on a record, the groups that record has already hit. */
const GROUPS = Symbol('disclosure groups');

interface RecordGroups {
  collector: DisclosureCollector;
  groups: Map<Grant, Entry>;
}

/** What one request released and refused, grouped for one insert. */
export class DisclosureCollector {
  private readonly entries = new Map<string, Entry>();

  /**
   * Records `coordinate` of `record` (the object the field was read from, if any) under `decided`;
   * `subjectOf` says which person and case the record is about, asked once per record and grant.
   * The groups a record has hit are kept on the record itself (a symbol property, as the policy's
   * own tags are), so the fields after its first cost a Map and a Set lookup.
   */
  record<R extends object>(decided: Grant, coordinate: string, record: R | undefined, subjectOf: (record: R | undefined) => Subject): void {
    const tagged = record as (R & { [GROUPS]?: RecordGroups }) | undefined;
    let mine = tagged?.[GROUPS];
    if (mine && mine.collector !== this) mine = undefined;
    const cached = mine?.groups.get(decided);
    if (cached) {
      cached.coordinates.add(coordinate);
      return;
    }
    const who = subjectOf(record);
    const key = `${decided.key}|${who.personId ?? ''}|${who.caseId ?? ''}`;
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { subject: who, grant: decided, coordinates: new Set() }));
    entry.coordinates.add(coordinate);
    if (mine) mine.groups.set(decided, entry);
    else if (tagged && typeof tagged === 'object' && Object.isExtensible(tagged)) {
      // Not enumerable: a copy of the record ({ ...row }) must not carry this record's groups.
      Object.defineProperty(tagged, GROUPS, { value: { collector: this, groups: new Map([[decided, entry]]) }, writable: true });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The response left without data after all (all or nothing): what was decided for release or
   * read did not leave, so it is not recorded; refusals and writes stay.
   */
  withdrawReleases(): void {
    for (const [key, e] of this.entries) if (e.grant.outcome === 'RELEASED' || e.grant.outcome === 'READ') this.entries.delete(key);
  }

  get released(): boolean {
    for (const e of this.entries.values()) if (e.grant.outcome === 'RELEASED') return true;
    return false;
  }

  /** Each group's own columns: who it is about, what, under which agreement and consent, the outcome. */
  groups() {
    return [...this.entries.values()].map((e) => ({
      person_id: e.subject.personId ?? null,
      case_id: e.subject.caseId ?? null,
      coordinates: [...e.coordinates].sort(),
      agreement_id: e.grant.agreementId,
      consent_id: e.grant.consentId,
      outcome: e.grant.outcome,
      reason: e.grant.reason,
    }));
  }

  /** The rows as they are written, with the caller and request. */
  toRows(caller: Caller, requestId: string) {
    return this.groups().map((g) => ({
      request_id: requestId,
      caller_subject: caller.subject,
      caller_agency: caller.agency,
      caller_role: caller.role,
      purpose: caller.purpose,
      ...g,
    }));
  }
}

// The request's caller goes once, as parameters; each group's own columns go as one JSON array.
const insertSql = (table: AuditTable) => `
  INSERT INTO ${table} (request_id, caller_subject, caller_agency, caller_role, purpose, person_id, case_id,
                              coordinates, agreement_id, consent_id, outcome, reason, prev_hash, hash, seq)
  SELECT $1, $2, $3, $4, $5, person_id, case_id, coordinates, agreement_id, consent_id, outcome, reason, '', '', 0
    FROM json_to_recordset($6::json) AS x(person_id uuid, case_id uuid, coordinates text[], agreement_id text,
         consent_id uuid, outcome text, reason text)`;
const INSERT_SQL = { disclosure_log: insertSql('disclosure_log'), access_log: insertSql('access_log') };

/**
 * The two chained logs, with the same columns: `disclosure_log` (what went to other agencies) and
 * `access_log` (what the owner's own staff read of sensitive records, and every write they made;
 * `agreement_id` there holds the role grant). A request's caller is either the owner or not, so
 * each request writes one of them, once.
 */
export type AuditTable = 'disclosure_log' | 'access_log';

export async function writeDisclosures(db: DataSource, collector: DisclosureCollector, caller: Caller, requestId: string, table: AuditTable = 'disclosure_log') {
  if (collector.size === 0) return;
  await db.query(INSERT_SQL[table], [requestId, caller.subject, caller.agency, caller.role, caller.purpose, JSON.stringify(collector.groups())]);
}

/** A write by the owner's own staff, decided before its resolver ran; its outcome is read from the response. */
export interface PendingWrite {
  coordinate: string;
  grantId: string;
  responseKey: string;
  subject: Subject;
}

export interface AuditedContext {
  db: DataSource;
  caller?: Caller;
  requestId: string;
  disclosures?: DisclosureCollector;
  policy?: { writes?: PendingWrite[] };
  /** A stopped request sends no data, so nothing of it is logged. */
  deadline?: { stopped?: unknown };
}

/** Records each permitted write with its outcome: WRITE_FAILED (with the error's code) if its field answered an error. */
export function settleWrites(writes: PendingWrite[] | undefined, collector: DisclosureCollector, errors: readonly { path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] | undefined) {
  for (const w of writes ?? []) {
    const failed = errors?.find((e) => e.path?.[0] === w.responseKey);
    const decided = failed
      ? grant('WRITE_FAILED', { agreementId: w.grantId, reason: String(failed.extensions?.code ?? 'ERROR') })
      : grant('WRITTEN', { agreementId: w.grantId });
    collector.record(decided, w.coordinate, undefined, () => w.subject);
  }
  if (writes) writes.length = 0;
}

/**
 * Writes the request's disclosure records before the response is sent. If they cannot be
 * written, nothing of the response leaves: fail closed.
 */
export function disclosureLogPlugin<C extends AuditedContext>(agency: string): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const { caller, disclosures } = contextValue;
          if (!caller || !disclosures) return;
          // The owner's own staff go to the access log, other agencies to the disclosure log.
          const table: AuditTable = caller.agency === agency ? 'access_log' : 'disclosure_log';
          const wrote = Boolean(contextValue.policy?.writes?.length);
          if (wrote) {
            settleWrites(contextValue.policy!.writes, disclosures, response.body.kind === 'single' ? (response.body.singleResult.errors as never) : undefined);
          }
          if (disclosures.size === 0) return;
          // Stopped (deadline, caller gone, field cap): the response carries no data (stoppedRequestPlugin),
          // so nothing was disclosed; a write it made still stands and is still recorded.
          if (contextValue.deadline?.stopped && !wrote) return;
          try {
            await writeDisclosures(contextValue.db, disclosures, caller, contextValue.requestId, table);
          } catch (error) {
            logger.error({ err: error, agency, table, requestId: contextValue.requestId }, `AUDIT FAILURE: ${table} write failed; response withheld`);
            if (response.body.kind === 'single') {
              response.body.singleResult = {
                data: null,
                errors: [
                  {
                    message: `The ${agency} ${table === 'access_log' ? 'access' : 'disclosure'} log could not be written, so no data is released (request ${contextValue.requestId}).`,
                    extensions: { code: 'AUDIT_UNAVAILABLE', serviceName: agency },
                  } as never,
                ],
              };
            }
          }
        },
      };
    },
  };
}

export interface ChainReport {
  rows: number;
  ok: boolean;
  firstBrokenSeq?: string;
  problem?: string;
}

/** Recomputes the hash chain of a disclosure log (or the access log) from its first row. */
export async function verifyChain(db: DataSource, table: AuditTable = 'disclosure_log'): Promise<ChainReport> {
  const columns = selectColumns(db, DisclosureEntity);
  const rows: DisclosureRecord[] = await db.query(`SELECT ${columns} FROM ${table} ORDER BY seq`);
  let previous = GENESIS;
  let expectedSeq = 1;
  for (const row of rows) {
    if (Number(row.seq) !== expectedSeq) return { rows: rows.length, ok: false, firstBrokenSeq: String(row.seq), problem: `row ${expectedSeq} is missing` };
    if (row.prevHash !== previous) return { rows: rows.length, ok: false, firstBrokenSeq: String(row.seq), problem: 'prev_hash does not match the previous row' };
    if (chainHash(previous, row) !== row.hash) return { rows: rows.length, ok: false, firstBrokenSeq: String(row.seq), problem: 'the row was changed after it was written' };
    previous = row.hash;
    expectedSeq++;
  }
  return { rows: rows.length, ok: true };
}
