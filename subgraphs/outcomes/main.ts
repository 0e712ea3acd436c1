/** Starts the outcomes subgraph on its own: npm run start:outcomes (refreshes every OUTCOMES_REFRESH_INTERVAL_MS). */
import { main } from '../../lib/run-subgraph';
import { outcomes } from '.';

main(outcomes);
