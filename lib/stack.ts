/**
 * Starts the whole graph in one process: each agency's database (real PostgreSQL, or the
 * embedded one), its migrations, its subgraph, and the gateway in front. `npm start` and the
 * end-to-end tests use it; each subgraph can also be started on its own (subgraphs/<agency>/main.ts).
 */
import { DataSource } from 'typeorm';
import { SUBGRAPHS } from '../subgraphs';
import { startGateway } from '../gateway/gateway';
import { SERVICES, ServiceName, maxSubgraphResponseBytes, statementTimeoutMs } from './config';
import { AgencyDatabase, AgencyDatabaseConfig, openAgencyDatabase } from './agency-database';
import { EMBEDDED_POOL_SIZE, EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { RunningServer } from './http-server';
import { logger } from './logger';
import { startSubgraph } from './subgraph';
import { Verifier, authSettings, createVerifier } from './auth/identity';
import { loadKeySource } from './auth/key-source';
import { Agreement, loadAgreements } from './policy/agreements';
import { PolicyExecutor, policyExecutor } from './policy/executor';
import { Clock, systemClock } from './clock';
import { RefreshResult, refreshEvery, refreshOutcomes } from '../subgraphs/outcomes/refresh';

export interface StackOptions {
  /**
   * Real PostgreSQL, one superuser URL per agency (its database and roles are provisioned);
   * without it (and without `databaseConfigs`) the embedded database runs.
   */
  databaseUrls?: Record<ServiceName, string>;
  /** How each agency's database is reached (agencyDatabaseConfig); wins over `databaseUrls`. */
  databaseConfigs?: Record<ServiceName, AgencyDatabaseConfig>;
  /** Folder of the embedded database; undefined keeps it in memory. */
  embeddedDir?: string;
  host: string;
  gatewayPort: number;
  subgraphPorts: Record<ServiceName, number>;
  timeoutMs?: number;
  /** The gateway's deadline per request; defaults to REQUEST_TIMEOUT_MS (read per request). */
  requestTimeoutMs?: number;
  /** Defaults to schema/mous. */
  agreements?: Agreement[];
  /** Defaults to POLICY_EXECUTOR (sync). */
  policyExecutor?: PolicyExecutor;
  /** The policy clock; defaults to the real one in POLICY_TIME_ZONE (validated here). */
  clock?: Clock;
  /** Connections per agency on real PostgreSQL (default 10). */
  poolSize?: number;
  /** Refresh the outcomes snapshot every so many ms (none by default; `stack.refreshOutcomes()` refreshes at once). */
  outcomesRefreshIntervalMs?: number;
  /** A built dashboard the gateway serves at `/` (bin/start.ts builds dashboard/dist). */
  dashboardDir?: string;
}

export interface Stack {
  gatewayUrl: string;
  subgraphUrls: Record<ServiceName, string>;
  /** The services' data sources: each agency's application role. */
  databases: Record<ServiceName, DataSource>;
  /** Where `databases` connect. */
  databaseUrls: Record<ServiceName, string>;
  /** Runs `work` with the owner role of an agency's database (tests that tamper with the log). */
  asOwner<T>(agency: ServiceName, work: (db: DataSource) => Promise<T>): Promise<T>;
  embedded: boolean;
  clock: Clock;
  /** The outcomes service reads every case through the gateway as the broker and writes a new snapshot. */
  refreshOutcomes(progress?: (message: string) => void): Promise<RefreshResult>;
  /** Drains the gateway, then the subgraphs (each within `graceMs`, default 0), then closes the pools. */
  stop(graceMs?: number): Promise<void>;
}

/** Embedded configs: each agency's PGlite, roles named after the agency. */
export function embeddedConfigs(urls: Record<ServiceName, string>): Record<ServiceName, AgencyDatabaseConfig> {
  return Object.fromEntries(SERVICES.map((a) => [a, { kind: 'embedded', url: urls[a], name: a }])) as Record<ServiceName, AgencyDatabaseConfig>;
}

export function adminConfigs(urls: Record<ServiceName, string>): Record<ServiceName, AgencyDatabaseConfig> {
  return Object.fromEntries(SERVICES.map((a) => [a, { kind: 'admin', adminUrl: urls[a] }])) as Record<ServiceName, AgencyDatabaseConfig>;
}

/** Opens each agency's database, applies its migrations as the owner and grants the application role. */
export async function openAgencyDatabases(
  configs: Record<ServiceName, AgencyDatabaseConfig>,
  options: { poolSize?: number; as?: 'service' | 'owner'; statementTimeoutMs?: (agency: ServiceName) => number; cancelStatements?: boolean } = {},
): Promise<Record<ServiceName, AgencyDatabase>> {
  const opened = {} as Record<ServiceName, AgencyDatabase>;
  try {
    for (const agency of SERVICES) opened[agency] = await openAgencyDatabase(configs[agency], SUBGRAPHS[agency], { ...options, statementTimeoutMs: options.statementTimeoutMs?.(agency) });
  } catch (error) {
    for (const db of Object.values(opened)) await db.close().catch(() => undefined);
    throw error;
  }
  return opened;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: ((graceMs?: number) => Promise<void>)[] = [];
  const stop = async (graceMs?: number) => {
    for (const cleanup of cleanups.reverse()) await cleanup(graceMs).catch(() => undefined);
  };
  try {
    // Identity and agreements first: a bad key file or agreement stops startup before anything runs.
    const verify: Verifier = createVerifier(authSettings(await loadKeySource()));
    const agreements = options.agreements ?? loadAgreements();
    const executor = options.policyExecutor ?? policyExecutor();
    const clock = options.clock ?? systemClock();
    let embedded: EmbeddedPostgres | undefined;
    if (!options.databaseUrls && !options.databaseConfigs) {
      embedded = await startEmbeddedPostgres(options.embeddedDir);
      cleanups.push(() => embedded!.stop());
    }
    const configs = embedded
      ? embeddedConfigs(embedded.urls)
      : options.databaseConfigs ?? adminConfigs(options.databaseUrls!);
    const opened = await openAgencyDatabases(configs, {
      poolSize: embedded ? EMBEDDED_POOL_SIZE : options.poolSize,
      statementTimeoutMs: embedded ? undefined : (agency) => statementTimeoutMs(agency),
      // PGlite runs one statement at a time and serves a cancel only after it: nothing to cancel.
      cancelStatements: !embedded,
    });
    for (const db of Object.values(opened)) cleanups.push(() => db.close());
    const databases = Object.fromEntries(SERVICES.map((a) => [a, opened[a].db])) as Record<ServiceName, DataSource>;
    const urls = Object.fromEntries(SERVICES.map((a) => [a, opened[a].url])) as Record<ServiceName, string>;

    const subgraphUrls = {} as Record<ServiceName, string>;
    for (const agency of SERVICES) {
      const server: RunningServer = await startSubgraph(SUBGRAPHS[agency], databases[agency], {
        host: options.host,
        port: options.subgraphPorts[agency],
        verify,
        agreements,
        executor,
        clock,
      });
      cleanups.push((graceMs) => server.close(graceMs));
      subgraphUrls[agency] = server.url;
    }
    const gateway = await startGateway({
      subgraphUrls,
      host: options.host,
      port: options.gatewayPort,
      timeoutMs: options.timeoutMs ?? 30_000,
      requestTimeoutMs: options.requestTimeoutMs,
      maxSubgraphResponseBytes: maxSubgraphResponseBytes(),
      verify,
      dashboardDir: options.dashboardDir,
    });
    cleanups.push((graceMs) => gateway.close(graceMs));
    const refresh = (progress?: (message: string) => void) =>
      refreshOutcomes({ db: databases.outcomes, gatewayUrl: gateway.url, today: clock.today(), agreements, progress });
    if (options.outcomesRefreshIntervalMs) {
      const stopTimer = refreshEvery(() => refresh(), options.outcomesRefreshIntervalMs, (error) =>
        logger.error({ err: error }, 'outcomes refresh failed; the previous snapshot stays current'));
      cleanups.push(async () => stopTimer());
    }
    return { gatewayUrl: gateway.url, subgraphUrls, databases, databaseUrls: urls, asOwner: (agency, work) => opened[agency].asOwner(work), embedded: Boolean(embedded), clock, refreshOutcomes: refresh, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
