/**
 * The agencies' databases as the command-line tools (seed, migrate) open them: real PostgreSQL
 * when configured, else the embedded database in the data folder, with migrations applied.
 */
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AGENCIES, AgencyName, dataDir, databaseUrl, hasConfiguredDatabases } from './config';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from './embedded-postgres';
import { openAgencyDatabases } from './stack';

export interface OpenedDatabases {
  databases: Record<AgencyName, DataSource>;
  description: string;
  close(): Promise<void>;
}

export async function openConfiguredDatabases(): Promise<OpenedDatabases> {
  if (hasConfiguredDatabases()) {
    const urls = Object.fromEntries(AGENCIES.map((a) => [a, databaseUrl(a)!])) as Record<AgencyName, string>;
    const databases = await openAgencyDatabases(urls, { createMissing: true });
    return {
      databases,
      description: 'PostgreSQL as configured',
      close: async () => {
        for (const db of Object.values(databases)) await db.destroy();
      },
    };
  }
  const directory = path.join(dataDir(), 'pglite');
  const embedded = await startEmbeddedPostgres(directory);
  try {
    const databases = await openAgencyDatabases(embedded.urls, { createMissing: false, poolSize: EMBEDDED_POOL_SIZE });
    return {
      databases,
      description: `embedded PostgreSQL in ${path.relative(process.cwd(), directory)}`,
      close: async () => {
        for (const db of Object.values(databases)) await db.destroy();
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
