/**
 * Opens one agency's database the least-privilege way: migrations and grants as the owner role,
 * the service's connection as the application role (see lib/db-roles.ts). Three shapes:
 *   - admin: one superuser URL (DATABASE_URL, development and CI) — the roles are provisioned here;
 *   - roles: production — `<AGENCY>_DATABASE_URL` (application role) and, where this process
 *     migrates, `<AGENCY>_MIGRATION_DATABASE_URL` (owner role);
 *   - embedded: PGlite over pglite-socket. Every socket connection shares PGlite's ONE backend
 *     session, which is the superuser's, and the socket does not authenticate; so the roles and
 *     grants are made as on a real server but the switch is `SET ROLE` on that shared session
 *     (owner for migrations, then the application role). The grants are enforced, but any
 *     statement could `RESET ROLE` back to the superuser: a guard against mistakes, not against
 *     an attacker who can run SQL. Real PostgreSQL is the production shape.
 */
import { Client } from 'pg';
import { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import { createDataSource, ensureDatabaseExists } from './db';
import { enableStatementCancellation } from './query-cancellation';
import { AgencyRoles, grantApplicationRole, provisionRoles, quoteIdent, rolePassword, rolesFor, withCredentials } from './db-roles';

export type AgencyDatabaseConfig =
  /** A superuser URL naming the agency's database (created when missing). */
  | { kind: 'admin'; adminUrl: string }
  /** The application role's URL and, to migrate, the owner role's. */
  | { kind: 'roles'; serviceUrl: string; migrationUrl?: string }
  /** The embedded server's URL (a superuser session shared by all connections); `name` names the roles. */
  | { kind: 'embedded'; url: string; name: string };

export interface AgencyDatabase {
  /** The data source the service uses: the application role (the owner's, for `as: 'owner'`). */
  db: DataSource;
  /** Where `db` connects. */
  url: string;
  /** Runs `work` with the owner's rights (tests that tamper with the log, tools). */
  asOwner<T>(work: (db: DataSource) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface Definition {
  entities: EntitySchema<any>[];
  migrations: (new () => MigrationInterface)[];
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function migrateAndGrant(owner: DataSource, app: string): Promise<void> {
  await owner.runMigrations({ transaction: 'each' });
  await grantApplicationRole((sql, params) => owner.query(sql, params), app);
}

/** The roles provisioned for an admin URL's database. */
export function rolesForDatabaseUrl(adminUrl: string): AgencyRoles {
  return rolesFor(databaseName(adminUrl));
}

/**
 * Opens an agency's database: applies pending migrations as the owner (where it can), grants the
 * application role, and returns the service's data source. `as: 'owner'` returns the owner's
 * (the seed and migrate tools, which may clear tables).
 */
export async function openAgencyDatabase(
  config: AgencyDatabaseConfig,
  definition: Definition,
  options: {
    poolSize?: number;
    as?: 'service' | 'owner';
    /** `statement_timeout` of the service's connections (never the owner's: migrations may be long). */
    statementTimeoutMs?: number;
    /** Cancel a stopped request's running statements (lib/query-cancellation.ts; real PostgreSQL only). */
    cancelStatements?: boolean;
  } = {},
): Promise<AgencyDatabase> {
  const as = options.as ?? 'service';
  const open = async (url: string, poolSize?: number, serving = false) => {
    const ds = createDataSource({
      url,
      entities: definition.entities,
      migrations: definition.migrations,
      poolSize,
      statementTimeoutMs: serving ? options.statementTimeoutMs : undefined,
    });
    await ds.initialize();
    if (serving && options.cancelStatements) enableStatementCancellation(ds);
    return ds;
  };

  if (config.kind === 'embedded') {
    const roles = rolesFor(config.name);
    const db = await open(config.url, options.poolSize);
    const query = (sql: string, params?: unknown[]) => db.query(sql, params);
    try {
      await query('RESET ROLE');
      await provisionRoles(query, databaseName(config.url), roles, null);
      await query(`SET ROLE ${quoteIdent(roles.owner)}`);
      await migrateAndGrant(db, roles.app);
      if (as === 'service') await query(`SET ROLE ${quoteIdent(roles.app)}`);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    const serviceRole = as === 'service' ? roles.app : roles.owner;
    return {
      db,
      url: config.url,
      asOwner: async (work) => {
        await query(`SET ROLE ${quoteIdent(roles.owner)}`);
        try {
          return await work(db);
        } finally {
          await query(`SET ROLE ${quoteIdent(serviceRole)}`);
        }
      },
      close: () => db.destroy(),
    };
  }

  let ownerUrl: string | undefined;
  let serviceUrl: string;
  if (config.kind === 'admin') {
    await ensureDatabaseExists(config.adminUrl);
    const roles = rolesForDatabaseUrl(config.adminUrl);
    const passwords = { owner: rolePassword(config.adminUrl, roles.owner), app: rolePassword(config.adminUrl, roles.app) };
    await withClient(config.adminUrl, (client) =>
      provisionRoles((sql, params) => client.query(sql, params), databaseName(config.adminUrl), roles, passwords),
    );
    ownerUrl = withCredentials(config.adminUrl, roles.owner, passwords.owner);
    serviceUrl = withCredentials(config.adminUrl, roles.app, passwords.app);
  } else {
    ownerUrl = config.migrationUrl;
    serviceUrl = config.serviceUrl;
  }

  if (ownerUrl) {
    // The owner's connection is held only while it works: the service keeps none open.
    const owner = await open(ownerUrl, 1);
    try {
      await migrateAndGrant(owner, decodeURIComponent(new URL(serviceUrl).username));
    } catch (error) {
      await owner.destroy();
      throw error;
    }
    if (as === 'owner') return { db: owner, url: ownerUrl, asOwner: (work) => work(owner), close: () => owner.destroy() };
    await owner.destroy();
  }
  const service = await open(serviceUrl, options.poolSize, true);
  if (!ownerUrl && (await service.showMigrations())) {
    await service.destroy();
    throw new Error(
      `${databaseName(serviceUrl)} has migrations pending and this process has no owner connection to apply them: ` +
        'set <AGENCY>_MIGRATION_DATABASE_URL or run `npm run migrate` with it',
    );
  }
  return {
    db: service,
    url: serviceUrl,
    asOwner: async (work) => {
      if (!ownerUrl) throw new Error('no owner connection configured (<AGENCY>_MIGRATION_DATABASE_URL)');
      const owner = await open(ownerUrl, 1);
      try {
        return await work(owner);
      } finally {
        await owner.destroy();
      }
    },
    close: () => service.destroy(),
  };
}
