/**
 * Starts the outcomes subgraph on its own: npm run start:outcomes. It refreshes its snapshot through
 * the gateway (OUTCOMES_GATEWAY_URL) once at start and every OUTCOMES_REFRESH_INTERVAL_MS; a refresh
 * that fails is logged and the previous snapshot stays current.
 */
import { main } from '../../lib/run-subgraph';
import { logger } from '../../lib/logger';
import { outcomesGatewayUrl, outcomesRefreshIntervalMs } from '../../lib/config';
import { refreshEvery, refreshOutcomes } from './refresh';
import { outcomes } from '.';

main(outcomes, (db, clock) =>
  // The gateway may start after this service: the first refresh waits a little.
  refreshEvery(
    () => refreshOutcomes({ db, gatewayUrl: outcomesGatewayUrl(), today: clock.today(), progress: (message) => logger.info({ agency: 'outcomes' }, message) }),
    outcomesRefreshIntervalMs(),
    (error) => logger.error({ err: error }, 'outcomes refresh failed; the previous snapshot stays current'),
    5_000,
  ),
);
