/**
 * Database least privilege: the services connect as each database's application role, which can
 * read and write rows but cannot switch off, drop or empty the disclosure log's guards, change
 * its rows, or create anything; grants cover tables of later migrations; a service refuses to
 * start on a superuser or owner connection. Runs on real PostgreSQL and on the embedded one
 * (there the application role is a `SET ROLE` on PGlite's single shared session — the grants are
 * enforced the same way; see lib/agency-database.ts for what that does not protect against).
 */
import { DataSource } from 'typeorm';
import { AGENCIES } from '../lib/config';
import { appendOnlyTables, assertServiceRole, grantApplicationRole } from '../lib/db-roles';
import { createDataSource } from '../lib/db';
import { SUBGRAPHS } from '../subgraphs';
import { TestStack, startTestStack, usesRealPostgres } from './support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ cases: 1 });
});
afterAll(() => stack?.stop());

const currentUser = async (db: DataSource): Promise<string> => (await db.query('SELECT current_user AS u'))[0].u;

describe('the application role each service connects as', () => {
  it.each(AGENCIES)('is %s’s own role, not a superuser, not the owner', async (agency) => {
    const db = stack.databases[agency];
    const user = await currentUser(db);
    expect(user).toMatch(new RegExp(`${agency}_app$`));
    const [me] = await db.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    expect(me.rolsuper).toBe(false);
    const owner = await stack.asOwner(agency, currentUser);
    expect(owner).toMatch(new RegExp(`${agency}_owner$`));
  });

  const attacks: [string, string][] = [
    ['disable the log’s append-only trigger', 'ALTER TABLE disclosure_log DISABLE TRIGGER disclosure_log_no_change'],
    ['disable all its triggers', 'ALTER TABLE disclosure_log DISABLE TRIGGER ALL'],
    ['drop the append-only trigger', 'DROP TRIGGER disclosure_log_no_change ON disclosure_log'],
    ['drop the hash-chain trigger', 'DROP TRIGGER disclosure_log_chain ON disclosure_log'],
    ['replace the guard function', "CREATE OR REPLACE FUNCTION disclosure_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"],
    ['truncate the log', 'TRUNCATE disclosure_log'],
    ['update the log', "UPDATE disclosure_log SET reason = 'x'"],
    ['delete from the log', 'DELETE FROM disclosure_log'],
    ['rename the log', 'ALTER TABLE disclosure_log RENAME TO gone'],
    ['drop the log', 'DROP TABLE disclosure_log'],
    ['create a table', 'CREATE TABLE mine (id int)'],
    ['create a temporary table', 'CREATE TEMP TABLE mine (id int)'],
    ['delete records', 'DELETE FROM consent'],
    ['add a trigger to a table', 'CREATE TRIGGER t BEFORE INSERT ON consent FOR EACH ROW EXECUTE FUNCTION disclosure_log_append_only()'],
  ];
  it.each(attacks)('cannot %s', async (_what, sql) => {
    for (const agency of AGENCIES) {
      await expect(stack.databases[agency].query(sql)).rejects.toThrow(/permission denied|must be owner/);
    }
  });

  it('cannot become the owner role', async () => {
    if (!usesRealPostgres()) {
      // Embedded: the socket shares PGlite's single superuser session; SET ROLE is how the
      // application role is applied, so the session could switch back (documented limit).
      return;
    }
    const owner = await stack.asOwner('courts', currentUser);
    await expect(stack.databases.courts.query(`SET ROLE "${owner}"`)).rejects.toThrow(/permission denied/);
  });

  it('can still append to the log and read it (the chain trigger reads the last row)', async () => {
    const db = stack.databases.probation;
    await db.query(
      `INSERT INTO disclosure_log (request_id, caller_subject, caller_agency, caller_role, purpose, coordinates, outcome, prev_hash, hash)
       VALUES ('roles-test', 's', 'courts', 'judge', 'judicial_review', '{Supervision.status}', 'DENIED', '', '')`,
    );
    const rows = await db.query("SELECT seq FROM disclosure_log WHERE request_id = 'roles-test'");
    expect(rows).toHaveLength(1);
  });
});

describe('grants after migrations', () => {
  it('cover tables of later migrations, and leave any log table insert-and-read only', async () => {
    const app = await currentUser(stack.databases.housing);
    await stack.asOwner('housing', async (owner) => {
      await owner.query(`
        CREATE TABLE later_records (id int PRIMARY KEY, note text);
        CREATE TABLE later_access_log (id int PRIMARY KEY);
        CREATE TABLE later_guarded (id int PRIMARY KEY);
        CREATE TRIGGER later_guarded_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON later_guarded
          FOR EACH STATEMENT EXECUTE FUNCTION disclosure_log_append_only();`);
      try {
        expect(await appendOnlyTables((sql, p) => owner.query(sql, p))).toEqual(['access_log', 'disclosure_log', 'later_access_log', 'later_guarded']);
        await grantApplicationRole((sql, p) => owner.query(sql, p), app);
        const privileges = await owner.query(
          `SELECT t AS table, has_table_privilege($1, t, 'INSERT') AS insert, has_table_privilege($1, t, 'UPDATE') AS update,
                  has_table_privilege($1, t, 'DELETE') AS delete FROM unnest(ARRAY['later_records', 'later_access_log', 'later_guarded']) t`,
          [app],
        );
        expect(privileges).toEqual([
          { table: 'later_records', insert: true, update: true, delete: false },
          { table: 'later_access_log', insert: true, update: false, delete: false },
          { table: 'later_guarded', insert: true, update: false, delete: false },
        ]);
      } finally {
        await owner.query('DROP TABLE later_records, later_access_log, later_guarded');
      }
    });
  });

  it('refuse to leave a log table writable: the startup check stops a service that may change it', async () => {
    const app = await currentUser(stack.databases.counseling);
    await stack.asOwner('counseling', (owner) => owner.query(`GRANT UPDATE, DELETE ON disclosure_log TO "${app}"`));
    try {
      await expect(assertServiceRole(stack.databases.counseling)).rejects.toThrow(/may UPDATE the append-only disclosure_log/);
    } finally {
      await stack.asOwner('counseling', (owner) => owner.query(`REVOKE UPDATE, DELETE ON disclosure_log FROM "${app}"`));
    }
    await expect(assertServiceRole(stack.databases.counseling)).resolves.toBeUndefined();
  });
});

describe('the startup check', () => {
  it('refuses the owner role (it could disable the log’s triggers)', async () => {
    await stack.asOwner('courts', async (owner) => {
      await expect(assertServiceRole(owner)).rejects.toThrow(/refusing to serve on database role .*owns disclosure_log/);
    });
  });

  it('refuses a superuser', async () => {
    if (usesRealPostgres()) {
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = new URL(stack.databaseUrls.courts).pathname;
      const superuser = createDataSource({ url: url.toString(), entities: SUBGRAPHS.courts.entities, migrations: [], poolSize: 1 });
      await superuser.initialize();
      try {
        await expect(assertServiceRole(superuser)).rejects.toThrow(/it is a superuser/);
      } finally {
        await superuser.destroy();
      }
    } else {
      await stack.asOwner('courts', async (db) => {
        await db.query('RESET ROLE');
        await expect(assertServiceRole(db)).rejects.toThrow(/it is a superuser/);
      });
    }
  });
});
