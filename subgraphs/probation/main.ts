/** Starts the probation subgraph on its own: npm run start:probation */
import { main } from '../../lib/run-subgraph';
import { probation } from '.';

main(probation);
