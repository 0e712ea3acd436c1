/** Starts the housing subgraph on its own: npm run start:housing */
import { main } from '../../lib/run-subgraph';
import { housing } from '.';

main(housing);
