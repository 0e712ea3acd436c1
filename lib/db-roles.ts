/**
 * Database least privilege. Each agency's database has two roles:
 *   - an owner role, which owns the schema and every table, and runs the migrations;
 *   - an application role, which the service connects as: it reads and writes rows
 *     (SELECT, INSERT, UPDATE) and nothing else — no DELETE, no TRUNCATE, no DDL, and on the
 *     append-only log tables only INSERT and SELECT. Not owning a table, it can neither ALTER it
 *     nor DISABLE/DROP its triggers.
 *
 * With one admin DATABASE_URL (development, CI: a superuser) the code provisions both roles per
 * agency, named after the agency's database (`dv_courts_owner`, `dv_courts_app`: roles are
 * cluster-wide, database names are unique per prefix). In production the operator creates them
 * and gives each service `<AGENCY>_DATABASE_URL` (app) and `<AGENCY>_MIGRATION_DATABASE_URL` (owner).
 *
 * After migrations `grantApplicationRole` grants generically (every table, present and future
 * migrations alike) and then takes back what append-only tables must not allow; it then checks the
 * result, so a log table can never be left writable without startup failing.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Tables whose rows are never changed or removed. Tables are also treated as append-only when
 * their name ends in `_log` or when they carry a statement trigger refusing UPDATE, DELETE and
 * TRUNCATE (the disclosure log's guard) — whichever signal a new migration gives, it is honoured.
 */
export const APPEND_ONLY_TABLES: readonly string[] = ['disclosure_log'];

/**
 * Tables whose rows the application itself removes (e.g. expired idempotency keys): the only ones
 * it may DELETE from. Never an append-only table (startup fails if one is listed).
 */
export const DELETABLE_TABLES: readonly string[] = [
  'idempotency_record',
  // The outcomes service replaces its snapshot on each refresh and deletes the ones before.
  'outcome_snapshot',
  'outcome_record',
  'outcome_cell',
];

/** The TypeORM bookkeeping table: the application role may read it (pending-migration check). */
const MIGRATIONS_TABLE = 'migrations';

export interface AgencyRoles {
  owner: string;
  app: string;
}

/** Role names derived from the database (or, embedded, agency) name. */
export function rolesFor(baseName: string): AgencyRoles {
  if (!/^[a-z0-9_]+$/.test(baseName)) throw new Error(`role base name "${baseName}" may hold only a-z, 0-9 and _`);
  return { owner: `${baseName}_owner`, app: `${baseName}_app` };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * A role's password: derived from the admin URL's password (HMAC), so every process provisioning
 * with the same admin URL agrees on it and a running service keeps working when another tool
 * provisions again; random when the admin URL carries no password (trust / peer authentication).
 */
export function rolePassword(adminUrl: string, role: string): string {
  const secret = decodeURIComponent(new URL(adminUrl).password);
  if (!secret) return randomBytes(24).toString('base64url');
  return createHmac('sha256', secret).update(`dv-case-graph role ${role}`).digest('base64url');
}

/** `url` with the given credentials. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: any[] } | any[]>;

async function rows(query: Query, sql: string, params?: unknown[]): Promise<any[]> {
  const result = await query(sql, params);
  return Array.isArray(result) ? result : result.rows;
}

/**
 * As a superuser: creates (or updates) the owner and application roles, makes the owner own the
 * database, its `public` schema and every object in it (databases created before roles existed),
 * and lets nobody else create anything there. `query` runs on a superuser session in the database.
 */
export async function provisionRoles(
  query: Query,
  database: string,
  roles: AgencyRoles,
  passwords: { owner: string; app: string } | null,
): Promise<void> {
  for (const [role, password] of [[roles.owner, passwords?.owner], [roles.app, passwords?.app]] as const) {
    const exists = (await rows(query, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length > 0;
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT${password ? ` PASSWORD ${quoteLiteral(password)}` : ''}`;
    await query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${quoteIdent(role)} ${exists ? 'WITH ' : ''}${attributes}`);
  }
  const owner = quoteIdent(roles.owner);
  await query(`ALTER DATABASE ${quoteIdent(database)} OWNER TO ${owner}`);
  await query(`REVOKE ALL ON DATABASE ${quoteIdent(database)} FROM PUBLIC`);
  await query(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${quoteIdent(roles.app)}`);
  await query(`ALTER SCHEMA public OWNER TO ${owner}`);
  await query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  // Objects created before the roles existed (by the superuser) pass to the owner.
  const objects = await rows(
    query,
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))`,
    [roles.owner],
  );
  const kinds: Record<string, string> = { r: 'TABLE', p: 'TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', S: 'SEQUENCE', f: 'FOREIGN TABLE' };
  for (const o of objects) await query(`ALTER ${kinds[o.kind]} public.${quoteIdent(o.name)} OWNER TO ${owner}`);
  const functions = await rows(
    query,
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)`,
    [roles.owner],
  );
  for (const f of functions) await query(`ALTER ROUTINE ${f.signature} OWNER TO ${owner}`);
}

/** The append-only tables of the current database: listed, named `*_log`, or guarded by trigger. */
export async function appendOnlyTables(query: Query): Promise<string[]> {
  // tgtype bits: 8 DELETE, 16 UPDATE, 32 TRUNCATE (pg_trigger.h).
  const found = await rows(
    query,
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        AND (c.relname = ANY($1) OR c.relname LIKE '%\\_log'
             OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND (t.tgtype & 56) = 56))
      ORDER BY 1`,
    [APPEND_ONLY_TABLES],
  );
  return found.map((r) => r.name);
}

/**
 * As the owner, after the migrations: the application role may read, insert and update every
 * table (those of later migrations too), use the sequences, and nothing more; on append-only
 * tables only read and insert. Then checks that this is what the database now says.
 */
export async function grantApplicationRole(query: Query, app: string): Promise<void> {
  const role = quoteIdent(app);
  await query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
  await query(`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${role}`);
  await query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  const logs = await appendOnlyTables(query);
  const existing = new Set((await rows(query, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).map((r) => r.tablename as string));
  for (const table of DELETABLE_TABLES) {
    if (existing.has(table) && !logs.includes(table)) await query(`GRANT DELETE ON public.${quoteIdent(table)} TO ${role}`);
  }
  for (const table of logs) await query(`REVOKE UPDATE ON public.${quoteIdent(table)} FROM ${role}`);
  const hasMigrations = (await rows(query, "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = $1", [MIGRATIONS_TABLE])).length > 0;
  if (hasMigrations) await query(`REVOKE INSERT, UPDATE ON public.${MIGRATIONS_TABLE} FROM ${role}`);
  const problems = await privilegeProblems(query, app, logs);
  if (problems.length) throw new Error(`granting ${app} left it too much or too little: ${problems.join('; ')}`);
}

/** What `role` may do that it should not (or may not read what it must), in the current database. */
async function privilegeProblems(query: Query, role: string, logs: string[]): Promise<string[]> {
  const found = await rows(
    query,
    `SELECT c.relname AS name,
            has_table_privilege($1, c.oid, 'SELECT') AS can_select,
            has_table_privilege($1, c.oid, 'UPDATE') AS can_update,
            has_table_privilege($1, c.oid, 'DELETE') AS can_delete,
            has_table_privilege($1, c.oid, 'TRUNCATE') AS can_truncate,
            has_table_privilege($1, c.oid, 'TRIGGER') AS can_trigger,
            pg_has_role($1, c.relowner, 'USAGE') AS owns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`,
    [role],
  );
  const problems: string[] = [];
  for (const t of found) {
    if (t.owns) problems.push(`${role} owns ${t.name} (an owner can disable its triggers)`);
    if (!t.can_select) problems.push(`${role} cannot read ${t.name}`);
    const mayDelete = DELETABLE_TABLES.includes(t.name) && !logs.includes(t.name);
    if ((t.can_delete && !mayDelete) || t.can_truncate || t.can_trigger) problems.push(`${role} may DELETE, TRUNCATE or add triggers to ${t.name}`);
    if (logs.includes(t.name) && t.can_update) problems.push(`${role} may UPDATE the append-only ${t.name}`);
  }
  for (const log of logs) if (!found.some((t) => t.name === log)) problems.push(`append-only table ${log} not found`);
  const [schema] = await rows(query, "SELECT has_schema_privilege($1, 'public', 'CREATE') AS can_create", [role]);
  if (schema.can_create) problems.push(`${role} may create objects in schema public`);
  return problems;
}

export class PrivilegeError extends Error {
  override name = 'PrivilegeError';
}

/**
 * The startup check every subgraph runs on its own connection: it refuses to serve as a
 * superuser, as a role that bypasses row security, owns a table (and so could switch off the log's
 * triggers) or may create objects, or may change or remove rows of an append-only table.
 */
export async function assertServiceRole(db: DataSource): Promise<void> {
  const query: Query = (sql, params) => db.query(sql, params);
  const [me] = await rows(
    query,
    'SELECT current_user AS name, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user',
  );
  const problems: string[] = [];
  if (me.rolsuper) problems.push('it is a superuser');
  if (me.rolbypassrls || me.rolcreaterole || me.rolcreatedb) problems.push('it may bypass row security or create roles or databases');
  problems.push(...(await privilegeProblems(query, me.name, await appendOnlyTables(query))).filter((p) => !/cannot read/.test(p)));
  if (problems.length) {
    throw new PrivilegeError(
      `refusing to serve on database role "${me.name}": ${problems.join('; ')}. ` +
        'Connect the service as the application role (see README, Database roles).',
    );
  }
}

/** Drops the roles provisioned for `database` (tests, after dropping the database itself). */
export async function dropRoles(adminUrl: string, roles: AgencyRoles): Promise<void> {
  const admin = new URL(adminUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (const role of [roles.app, roles.owner]) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
  } finally {
    await client.end();
  }
}
