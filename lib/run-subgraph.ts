/** Starts one agency's subgraph on its own, on its configured PostgreSQL database. */
import { bindHost, databaseUrl, envPrefix, shutdownGraceMs, statementTimeoutMs, subgraphPort } from './config';
import { ensureDatabaseExists, openDatabase } from './db';
import { logger } from './logger';
import { authSettings, createVerifier } from './auth/identity';
import { loadVerificationKeys } from './auth/keys';
import { loadAgreements } from './policy/agreements';
import { policyExecutor } from './policy/executor';
import { SubgraphDefinition, startSubgraph } from './subgraph';

export async function runSubgraph<L>(definition: SubgraphDefinition<L>): Promise<void> {
  const agency = definition.name;
  const url = databaseUrl(agency);
  if (!url) {
    throw new Error(
      `${envPrefix(agency)}_DATABASE_URL or DATABASE_URL must be set to run the ${agency} subgraph on its own ` +
        '(`npm start` runs the whole graph on the embedded database).',
    );
  }
  const verify = createVerifier(authSettings(await loadVerificationKeys()));
  const agreements = loadAgreements();
  const executor = policyExecutor();
  await ensureDatabaseExists(url);
  const db = await openDatabase({
    url,
    entities: definition.entities,
    migrations: definition.migrations,
    statementTimeoutMs: statementTimeoutMs(agency),
    cancelStatements: true,
  });
  const server = await startSubgraph(definition, db, {
    host: bindHost(),
    port: subgraphPort(agency),
    verify,
    agreements,
    executor,
  });
  logger.info({ agency, url: server.url }, 'subgraph listening');
  // SIGTERM: stop taking requests, let those in flight finish within SHUTDOWN_GRACE_MS, then close the pool.
  const stop = async () => {
    logger.info({ agency }, 'shutting down');
    await server.close(shutdownGraceMs());
    await db.destroy();
    logger.info({ agency }, 'stopped');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function main<L>(definition: SubgraphDefinition<L>): void {
  runSubgraph(definition).catch((error) => {
    logger.fatal({ err: error }, `${definition.name} subgraph failed to start`);
    process.exit(1);
  });
}
