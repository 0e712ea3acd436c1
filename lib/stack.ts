/**
 * Starts the whole graph in one process: each agency's database (real PostgreSQL, or the
 * embedded one), its migrations, its subgraph, and the gateway in front. `npm start` and the
 * end-to-end tests use it; each subgraph can also be started on its own (subgraphs/<agency>/main.ts).
 */
import { DataSource } from 'typeorm';
import { SUBGRAPHS } from '../subgraphs';
import { startGateway } from '../gateway/gateway';
import { AGENCIES, AgencyName, maxSubgraphResponseBytes, statementTimeoutMs } from './config';
import { ensureDatabaseExists, openDatabase } from './db';
import { EMBEDDED_POOL_SIZE, EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { RunningServer } from './http-server';
import { startSubgraph } from './subgraph';
import { Verifier, authSettings, createVerifier } from './auth/identity';
import { loadVerificationKeys } from './auth/keys';
import { Agreement, loadAgreements } from './policy/agreements';
import { PolicyExecutor, policyExecutor } from './policy/executor';

export interface StackOptions {
  /** Real PostgreSQL, one URL per agency; without it the embedded database runs. */
  databaseUrls?: Record<AgencyName, string>;
  /** Folder of the embedded database; undefined keeps it in memory. */
  embeddedDir?: string;
  host: string;
  gatewayPort: number;
  subgraphPorts: Record<AgencyName, number>;
  timeoutMs?: number;
  /** The gateway's deadline per request; defaults to REQUEST_TIMEOUT_MS (read per request). */
  requestTimeoutMs?: number;
  /** Defaults to schema/mous. */
  agreements?: Agreement[];
  /** Defaults to POLICY_EXECUTOR (sync). */
  policyExecutor?: PolicyExecutor;
}

export interface Stack {
  gatewayUrl: string;
  subgraphUrls: Record<AgencyName, string>;
  databases: Record<AgencyName, DataSource>;
  databaseUrls: Record<AgencyName, string>;
  embedded: boolean;
  /** Drains the gateway, then the subgraphs (each within `graceMs`, default 0), then closes the pools. */
  stop(graceMs?: number): Promise<void>;
}

/** Opens each agency's database and applies its migrations. */
export async function openAgencyDatabases(
  urls: Record<AgencyName, string>,
  options: { createMissing: boolean; poolSize?: number; statementTimeoutMs?: (agency: AgencyName) => number; cancelStatements?: boolean },
): Promise<Record<AgencyName, DataSource>> {
  const databases = {} as Record<AgencyName, DataSource>;
  for (const agency of AGENCIES) {
    const { entities, migrations } = SUBGRAPHS[agency];
    if (options.createMissing) await ensureDatabaseExists(urls[agency]);
    databases[agency] = await openDatabase({
      url: urls[agency],
      entities,
      migrations,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs?.(agency),
      cancelStatements: options.cancelStatements,
    });
  }
  return databases;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: ((graceMs?: number) => Promise<void>)[] = [];
  const stop = async (graceMs?: number) => {
    for (const cleanup of cleanups.reverse()) await cleanup(graceMs).catch(() => undefined);
  };
  try {
    // Identity and agreements first: a bad key file or agreement stops startup before anything runs.
    const verify: Verifier = createVerifier(authSettings(await loadVerificationKeys()));
    const agreements = options.agreements ?? loadAgreements();
    const executor = options.policyExecutor ?? policyExecutor();
    let embedded: EmbeddedPostgres | undefined;
    if (!options.databaseUrls) {
      embedded = await startEmbeddedPostgres(options.embeddedDir);
      cleanups.push(() => embedded!.stop());
    }
    const urls = options.databaseUrls ?? embedded!.urls;
    const databases = await openAgencyDatabases(urls, {
      createMissing: !embedded,
      poolSize: embedded ? EMBEDDED_POOL_SIZE : undefined,
      statementTimeoutMs: embedded ? undefined : (agency) => statementTimeoutMs(agency),
      // PGlite runs one statement at a time and serves a cancel only after it: nothing to cancel.
      cancelStatements: !embedded,
    });
    for (const db of Object.values(databases)) cleanups.push(() => db.destroy());

    const subgraphUrls = {} as Record<AgencyName, string>;
    for (const agency of AGENCIES) {
      const server: RunningServer = await startSubgraph(SUBGRAPHS[agency], databases[agency], {
        host: options.host,
        port: options.subgraphPorts[agency],
        verify,
        agreements,
        executor,
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
    });
    cleanups.push((graceMs) => gateway.close(graceMs));
    return { gatewayUrl: gateway.url, subgraphUrls, databases, databaseUrls: urls, embedded: Boolean(embedded), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
