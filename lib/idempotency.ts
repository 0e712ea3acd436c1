/**
 * Idempotent writes. A caller may send `Idempotency-Key: <key>` with a mutation (the IETF
 * httpapi draft's header; the gateway passes it on to the subgraph fetches). The key is scoped to
 * the verified caller (agency + subject) and to the mutation's response key in the operation (its
 * alias, or its name), so two mutations of one request under one header do not collide and one
 * caller can never see another's answers.
 *
 * In the same transaction as the write, `inTransaction` first claims the key (an insert under the
 * unique constraint `idempotency_record_scope`), then runs the mutation and stores its result:
 * - a retry with the same key and the same mutation and arguments gets the stored answer and
 *   writes nothing;
 * - a concurrent request with the same key waits on the unique index until the first commits
 *   (then it replays its answer) or rolls back (then it does the work itself);
 * - the same key with another mutation or other arguments is IDEMPOTENCY_KEY_REUSED, nothing written.
 * A refused write (bad input) rolls the claim back with it: only successful answers are kept.
 * Keys expire after IDEMPOTENCY_KEY_RETENTION_HOURS (24 by default).
 */
import { createHash, randomUUID } from 'node:crypto';
import { GraphQLError, GraphQLFieldResolver, GraphQLSchema, defaultFieldResolver } from 'graphql';
import { EntityManager, EntitySchema, MigrationInterface, QueryRunner } from 'typeorm';
import { Caller } from './auth/identity';
import { ConfigError } from './config';
import { createdAt, primaryId, text } from './entity';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Visible ASCII that needs no quoting: UUIDs, ULIDs, base64/base64url, dotted or colon-separated ids. */
const KEY_PATTERN = /^[A-Za-z0-9._~:+/=-]+$/;
export const DEFAULT_RETENTION_HOURS = 24;

type Env = Record<string, string | undefined>;

export function idempotencyRetentionHours(env: Env = process.env): number {
  const raw = env.IDEMPOTENCY_KEY_RETENTION_HOURS;
  if (raw === undefined || raw === '') return DEFAULT_RETENTION_HOURS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`IDEMPOTENCY_KEY_RETENTION_HOURS must be a positive whole number of hours, got "${raw}"`);
  }
  return value;
}

function malformed(reason: string): GraphQLError {
  return new GraphQLError(`Invalid Idempotency-Key header: ${reason}`, {
    extensions: { code: 'BAD_USER_INPUT', field: 'Idempotency-Key', http: { status: 400 } },
  });
}

/**
 * The request's idempotency key, or null when none was sent. A malformed one is refused with 400.
 * The draft's structured-field form (`"key"`, quoted) and a bare token are both accepted.
 */
export function idempotencyKeyOf(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (Array.isArray(header)) throw malformed('send it once');
  const quoted = /^"(.*)"$/.exec(header);
  const key = quoted ? quoted[1] : header;
  if (key === '') throw malformed('it is empty');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw malformed(`it is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  if (!KEY_PATTERN.test(key)) throw malformed('use only letters, digits and . _ ~ : + / = - (a UUID is best)');
  return key;
}

export interface IdempotencyRecord {
  id: string;
  callerAgency: string;
  callerSubject: string;
  idempotencyKey: string;
  responseKey: string;
  coordinate: string;
  fingerprint: string;
  result: string | null;
  createdAt?: Date;
}

export const IdempotencyRecordEntity = new EntitySchema<IdempotencyRecord>({
  name: 'IdempotencyRecord',
  tableName: 'idempotency_record',
  columns: {
    id: primaryId(),
    callerAgency: text('caller_agency'),
    callerSubject: text('caller_subject'),
    idempotencyKey: text('idempotency_key'),
    responseKey: text('response_key'),
    coordinate: text('coordinate'),
    fingerprint: text('fingerprint'),
    result: text('result', true),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'idempotency_record_scope', columns: ['callerAgency', 'callerSubject', 'idempotencyKey', 'responseKey'] }],
});

/** Every agency database gets the table (listed in each subgraphs/<agency>/index.ts). */
export class CreateIdempotencyRecords1764200000000 implements MigrationInterface {
  name = 'CreateIdempotencyRecords1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE idempotency_record (
        id uuid PRIMARY KEY,
        caller_agency text NOT NULL,
        caller_subject text NOT NULL,
        idempotency_key text NOT NULL,
        response_key text NOT NULL,
        coordinate text NOT NULL,
        fingerprint text NOT NULL,
        result text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_record_scope UNIQUE (caller_agency, caller_subject, idempotency_key, response_key)
      );
      CREATE INDEX idempotency_record_created_at ON idempotency_record (created_at);
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE idempotency_record');
  }
}

/** What one mutation field of one request is keyed by. */
export interface IdempotencyScope {
  key: string;
  responseKey: string;
  coordinate: string;
  fingerprint: string;
}

/** JSON with object keys sorted, Dates as ISO strings and absent/null input fields dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== null && (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function fingerprint(coordinate: string, args: unknown): string {
  return createHash('sha256').update(coordinate).update('\n').update(canonicalJson(args)).digest('hex');
}

/** The stored answer: the resolver's returned record as JSON, Dates tagged so they come back as Dates. */
export function encodeResult(value: unknown): string {
  return JSON.stringify(value ?? null, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : v;
  });
}

export function decodeResult(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$date === 'string' ? new Date(v.$date) : v,
  );
}

export class IdempotencyKeyReused extends GraphQLError {
  constructor(scope: IdempotencyScope) {
    super(
      `Idempotency-Key was already used by this caller for ${scope.responseKey} with a different mutation or different arguments; nothing was written. Use a new key for a new write.`,
      { extensions: { code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' } },
    );
  }
}

/**
 * Claims the key in the write's transaction. Returns the stored answer when the key was used
 * before with the same mutation and arguments (the caller then writes nothing), `undefined` when
 * the claim is new and the mutation should run.
 */
export async function claimKey(em: EntityManager, caller: Caller, scope: IdempotencyScope): Promise<{ replay: unknown } | undefined> {
  const hours = idempotencyRetentionHours();
  // Expired keys of this caller go first, so an old key can be used again.
  await em.query(
    `DELETE FROM idempotency_record WHERE caller_agency = $1 AND caller_subject = $2 AND created_at < now() - make_interval(hours => $3)`,
    [caller.agency, caller.subject, hours],
  );
  // Waits here while another transaction holds the same key, until it commits or rolls back.
  const inserted: unknown[] = await em.query(
    `INSERT INTO idempotency_record (id, caller_agency, caller_subject, idempotency_key, response_key, coordinate, fingerprint)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT ON CONSTRAINT idempotency_record_scope DO NOTHING RETURNING id`,
    [randomUUID(), caller.agency, caller.subject, scope.key, scope.responseKey, scope.coordinate, scope.fingerprint],
  );
  if (inserted.length > 0) return undefined;
  const [stored]: { coordinate: string; fingerprint: string; result: string | null }[] = await em.query(
    `SELECT coordinate, fingerprint, result FROM idempotency_record
      WHERE caller_agency = $1 AND caller_subject = $2 AND idempotency_key = $3 AND response_key = $4`,
    [caller.agency, caller.subject, scope.key, scope.responseKey],
  );
  if (!stored || stored.result === null) throw new Error('idempotency record vanished or holds no result');
  if (stored.coordinate !== scope.coordinate || stored.fingerprint !== scope.fingerprint) throw new IdempotencyKeyReused(scope);
  return { replay: decodeResult(stored.result) };
}

export async function storeResult(em: EntityManager, caller: Caller, scope: IdempotencyScope, result: unknown): Promise<void> {
  await em.query(
    `UPDATE idempotency_record SET result = $5
      WHERE caller_agency = $1 AND caller_subject = $2 AND idempotency_key = $3 AND response_key = $4`,
    [caller.agency, caller.subject, scope.key, scope.responseKey, encodeResult(result)],
  );
}

/** The scope `inTransaction` reads from the context a mutation resolver is given. */
export function idempotencyScopeOf(ctx: unknown): IdempotencyScope | undefined {
  return (ctx as { idempotency?: IdempotencyScope }).idempotency;
}

/**
 * Gives every mutation resolver, when the request carries a key, a context holding its scope
 * (key, response key, coordinate, fingerprint of the arguments). Applied inside the access rules:
 * a refused caller never reaches it.
 */
export function scopeMutationsByIdempotencyKey(schema: GraphQLSchema): GraphQLSchema {
  idempotencyRetentionHours(); // a bad setting stops startup, not the first write
  const mutation = schema.getMutationType();
  if (!mutation) return schema;
  for (const field of Object.values(mutation.getFields())) {
    const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
    const coordinate = `${mutation.name}.${field.name}`;
    field.resolve = (parent, args, ctx, info) => {
      const key = (ctx as { idempotencyKey?: string | null }).idempotencyKey;
      if (!key) return resolve(parent, args, ctx, info);
      const scope: IdempotencyScope = { key, responseKey: String(info.path.key), coordinate, fingerprint: fingerprint(coordinate, args) };
      return resolve(parent, args, Object.create(ctx as object, { idempotency: { value: scope } }), info);
    };
  }
  return schema;
}
