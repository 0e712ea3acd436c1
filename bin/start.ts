/**
 * npm start: the whole graph in one process. With no database configured it runs on the embedded
 * PostgreSQL in .data/pglite (created, migrated and seeded with demo data on first start).
 */
import path from 'node:path';
import {
  SERVICES,
  seedCases,
  ServiceName,
  agencyDatabaseConfig,
  bindHost,
  dataDir,
  devToolsEnabled,
  gatewayPort,
  hasConfiguredDatabases,
  subgraphPort,
  requestTimeoutMs,
  shutdownGraceMs,
  subgraphTimeoutMs,
  outcomesRefreshIntervalMs,
} from '../lib/config';
import { DEMO_DOCKET_NUMBER, countCases, seedDemoData } from '../lib/seed';
import { startStack } from '../lib/stack';
import { AgencyDatabaseConfig } from '../lib/agency-database';
import { ensureDashboardBuilt } from './build-dashboard';

async function main(): Promise<void> {
  const started = performance.now();
  const configured = hasConfiguredDatabases();
  const embeddedDir = path.join(dataDir(), 'pglite');
  // The reference dashboard, built when missing or older than its sources (a few seconds).
  const dashboard = ensureDashboardBuilt();
  if (!dashboard.dir) console.warn(dashboard.note);
  const stack = await startStack({
    dashboardDir: dashboard.dir,
    databaseConfigs: configured
      ? (Object.fromEntries(SERVICES.map((a) => [a, agencyDatabaseConfig(a)!])) as Record<ServiceName, AgencyDatabaseConfig>)
      : undefined,
    embeddedDir,
    host: bindHost(),
    gatewayPort: gatewayPort(),
    subgraphPorts: Object.fromEntries(SERVICES.map((a) => [a, subgraphPort(a)])) as Record<ServiceName, number>,
    timeoutMs: subgraphTimeoutMs(),
    requestTimeoutMs: requestTimeoutMs(),
    outcomesRefreshIntervalMs: outcomesRefreshIntervalMs(),
  });
  const shutdown = () => {
    // Stop taking requests; those in flight get SHUTDOWN_GRACE_MS; then the pools close.
    console.log('\nstopping...');
    stack.stop(shutdownGraceMs()).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  if ((await countCases(stack.databases)) === 0) {
    const cases = seedCases();
    console.log(`empty databases: seeding ${cases} synthetic demo cases...`);
    await seedDemoData(stack.databases, { cases, today: stack.clock.today() });
  }
  // The outcomes service's snapshot of what is there now (then every OUTCOMES_REFRESH_INTERVAL_MS).
  const refreshed = await stack.refreshOutcomes();
  // The demo case when the demo data is there, else the first case.
  const [first] = await stack.databases.courts.query(
    'SELECT id, docket_number AS "docketNumber" FROM court_case ORDER BY docket_number <> $1, docket_number LIMIT 1',
    [DEMO_DOCKET_NUMBER],
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`
Case graph ready in ${seconds}s
  gateway     ${stack.gatewayUrl}   (health: ${stack.gatewayUrl.replace('/graphql', '/health')})
  dashboard   ${dashboard.dir ? stack.gatewayUrl.replace('/graphql', '/') : `none (${dashboard.note})`}
${SERVICES.map((a) => `  ${a.padEnd(11)} ${stack.subgraphUrls[a]}`).join('\n')}
  databases   ${stack.embedded ? `embedded PostgreSQL (PGlite) in ${path.relative(process.cwd(), embeddedDir)}` : 'PostgreSQL as configured'}
${devToolsEnabled() ? `  explorer    ${stack.gatewayUrl.replace('/graphql', '/explorer')}   (GraphiQL; pick agency, role and purpose for a development token)\n` : ''}
Every request needs a signed token saying who asks, for which agency, role and purpose:
  export TOKEN=$(npm run --silent token -- --agency courts --role judge --purpose judicial_review)
Fetch a whole case (${first?.docketNumber ?? 'none seeded'}) in one request, as the agreements allow a judge:
  npm run --silent query -- schema/operations/WholeCase.graphql --var id=${first?.id ?? '<case id>'}
The first 10 cases, whole:
  npm run --silent query -- schema/operations/Caseload.graphql --var first=10
Outcome metrics for analysts (aggregates of ${refreshed.cases} de-identified cases, small cells suppressed):
  export TOKEN=$(npm run --silent token -- --agency courts --role analyst --purpose research)
  npm run --silent outcomes:export -- --metric recidivism --by COMPLETION
What each agency, role and purpose may see: npm run mou:check
`);
}

main().catch((error) => {
  console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
  if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error('A port is in use: set GATEWAY_PORT / COURTS_PORT / ... (see README) or stop the other process.');
  }
  process.exit(1);
});
