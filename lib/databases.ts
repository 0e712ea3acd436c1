/**
 * The agencies' databases as the command-line tools (seed, migrate, audit:verify) open them: real
 * PostgreSQL when configured, else the embedded database in the data folder, with migrations
 * applied. The tools act as each database's owner role (the seed clears tables with --reset);
 * where only an application role is configured (<AGENCY>_DATABASE_URL without
 * <AGENCY>_MIGRATION_DATABASE_URL) they act as that role.
 */
import path from 'node:path';
import { DataSource } from 'typeorm';
import { SERVICES, ServiceName, agencyDatabaseConfig, dataDir, hasConfiguredDatabases } from './config';
import { AgencyDatabaseConfig } from './agency-database';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from './embedded-postgres';
import { embeddedConfigs, openAgencyDatabases } from './stack';

export interface OpenedDatabases {
  databases: Record<ServiceName, DataSource>;
  description: string;
  close(): Promise<void>;
}

export async function openConfiguredDatabases(): Promise<OpenedDatabases> {
  if (hasConfiguredDatabases()) {
    const configs = Object.fromEntries(SERVICES.map((a) => [a, agencyDatabaseConfig(a)!])) as Record<ServiceName, AgencyDatabaseConfig>;
    const opened = await openAgencyDatabases(configs, { as: 'owner' });
    return {
      databases: Object.fromEntries(SERVICES.map((a) => [a, opened[a].db])) as Record<ServiceName, DataSource>,
      description: 'PostgreSQL as configured',
      close: async () => {
        for (const db of Object.values(opened)) await db.close();
      },
    };
  }
  const directory = path.join(dataDir(), 'pglite');
  const embedded = await startEmbeddedPostgres(directory);
  try {
    const opened = await openAgencyDatabases(embeddedConfigs(embedded.urls), { as: 'owner', poolSize: EMBEDDED_POOL_SIZE });
    return {
      databases: Object.fromEntries(SERVICES.map((a) => [a, opened[a].db])) as Record<ServiceName, DataSource>,
      description: `embedded PostgreSQL in ${path.relative(process.cwd(), directory)}`,
      close: async () => {
        for (const db of Object.values(opened)) await db.close();
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
