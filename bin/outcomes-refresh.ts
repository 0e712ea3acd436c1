/**
 * npm run outcomes:refresh — the outcomes service reads every case through the gateway as the
 * broker and writes a new de-identified snapshot; progress on stderr.
 *   - PostgreSQL configured (DATABASE_URL or OUTCOMES_DATABASE_URL): through the running gateway at
 *     OUTCOMES_GATEWAY_URL (default http://localhost:GATEWAY_PORT/graphql), into the outcomes database.
 *   - embedded database: starts the graph in this process on .data/pglite (stop `npm start` first:
 *     the embedded database serves one process), refreshes, stops. `npm start` refreshes by itself.
 */
import path from 'node:path';
import { agencyDatabaseConfig, dataDir, hasConfiguredDatabases, outcomesGatewayUrl } from '../lib/config';
import { openAgencyDatabase } from '../lib/agency-database';
import { systemClock } from '../lib/clock';
import { startStack } from '../lib/stack';
import { outcomes } from '../subgraphs/outcomes';
import { RefreshResult, refreshOutcomes } from '../subgraphs/outcomes/refresh';

const progress = (message: string) => console.error(message);

function summary(result: RefreshResult, started: number): string {
  const whole = result.suppressedWhole.length ? `; suppression failed for ${result.suppressedWhole.join(', ')}: all their cells suppressed` : '';
  const consent = `; ${result.referredWithoutConsent} referred victims left out of service engagement for want of a research consent`;
  return `refreshed: ${result.cases} cases, ${result.cells} cells, snapshot ${result.snapshotId} in ${((performance.now() - started) / 1000).toFixed(1)}s${consent}${whole}`;
}

async function main(): Promise<void> {
  const started = performance.now();
  if (hasConfiguredDatabases()) {
    const opened = await openAgencyDatabase(agencyDatabaseConfig('outcomes')!, outcomes);
    try {
      const result = await refreshOutcomes({ db: opened.db, gatewayUrl: outcomesGatewayUrl(), today: systemClock().today(), progress });
      console.error(summary(result, started));
    } finally {
      await opened.close();
    }
    return;
  }
  const ports = { courts: 0, housing: 0, counseling: 0, probation: 0, outcomes: 0 };
  const stack = await startStack({ embeddedDir: path.join(dataDir(), 'pglite'), host: '127.0.0.1', gatewayPort: 0, subgraphPorts: ports });
  try {
    const result = await stack.refreshOutcomes(progress);
    console.error(summary(result, started));
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(`outcomes refresh failed: ${(error as Error).message}`);
  process.exit(1);
});
