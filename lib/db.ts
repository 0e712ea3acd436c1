/**
 * TypeORM data sources for the agencies' own databases. Schema changes go through each
 * subgraph's migrations; `synchronize` is never used.
 */
import pg from 'pg';
import { Client } from 'pg';
import { DataSource, EntitySchema, MigrationInterface } from 'typeorm';
import { enableStatementCancellation } from './query-cancellation';

// PostgreSQL `date` stays a 'YYYY-MM-DD' string: turning it into a JS Date at local midnight
// shifts it by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// bigint counts are small here; return them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface DatabaseOptions {
  url: string;
  entities: EntitySchema<any>[];
  migrations: (new () => MigrationInterface)[];
  /** Connections in the pool. The embedded database serves one at a time. */
  poolSize?: number;
  /** PostgreSQL `statement_timeout` of every connection (ms); serving data sources set it. */
  statementTimeoutMs?: number;
  /** Cancel a stopped request's running statements (real PostgreSQL; not the embedded one). */
  cancelStatements?: boolean;
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      application_name: 'dv-case-graph',
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
  });
}

/** Opens the data source and applies pending migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  // A stopped request's running statements are cancelled (lib/query-cancellation.ts).
  if (options.cancelStatements) enableStatementCancellation(dataSource);
  return dataSource;
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`database name "${name}" may hold only letters, digits and _`);
  }
  return name;
}

/** Runs `work` on a connection to the `postgres` maintenance database of `url`'s server. */
async function withServer<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named in `url` on its server when it does not exist yet. */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const name = databaseName(url);
  await withServer(url, async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  });
}

/** Drops the database named in `url` (tests clean up the databases they created). */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withServer(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
