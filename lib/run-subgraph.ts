/** Starts one agency's subgraph on its own, on its configured PostgreSQL database. */
import { agencyDatabaseConfig, bindHost, envPrefix, shutdownGraceMs, statementTimeoutMs, subgraphPort } from './config';
import { openAgencyDatabase } from './agency-database';
import { logger } from './logger';
import { authSettings, createVerifier } from './auth/identity';
import { loadKeySource } from './auth/key-source';
import { loadAgreements } from './policy/agreements';
import { policyExecutor } from './policy/executor';
import { Clock, systemClock } from './clock';
import type { DataSource } from 'typeorm';
import { SubgraphDefinition, startSubgraph } from './subgraph';

/** Work a service runs beside serving (e.g. the outcomes refresh timer); returns how to stop it. */
export type BackgroundWork = (db: DataSource, clock: Clock) => () => void;

export async function runSubgraph<L>(definition: SubgraphDefinition<L>, background?: BackgroundWork): Promise<void> {
  const agency = definition.name;
  const config = agencyDatabaseConfig(agency);
  if (!config) {
    throw new Error(
      `${envPrefix(agency)}_DATABASE_URL or DATABASE_URL must be set to run the ${agency} subgraph on its own ` +
        '(`npm start` runs the whole graph on the embedded database).',
    );
  }
  const verify = createVerifier(authSettings(await loadKeySource()));
  const agreements = loadAgreements();
  const executor = policyExecutor();
  const clock = systemClock(); // validates POLICY_TIME_ZONE before anything starts
  const opened = await openAgencyDatabase(config, definition, { statementTimeoutMs: statementTimeoutMs(agency), cancelStatements: true });
  const db = opened.db;
  const server = await startSubgraph(definition, db, {
    host: bindHost(),
    port: subgraphPort(agency),
    verify,
    agreements,
    executor,
    clock,
  });
  logger.info({ agency, url: server.url }, 'subgraph listening');
  const stopBackground = background?.(db, clock);
  // SIGTERM: stop taking requests, let those in flight finish within SHUTDOWN_GRACE_MS, then close the pool.
  const stop = async () => {
    logger.info({ agency }, 'shutting down');
    stopBackground?.();
    await server.close(shutdownGraceMs());
    await opened.close();
    logger.info({ agency }, 'stopped');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function main<L>(definition: SubgraphDefinition<L>, background?: BackgroundWork): void {
  runSubgraph(definition, background).catch((error) => {
    logger.fatal({ err: error }, `${definition.name} subgraph failed to start`);
    process.exit(1);
  });
}
