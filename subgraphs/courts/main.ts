/** Starts the courts subgraph on its own: npm run start:courts */
import { main } from '../../lib/run-subgraph';
import { courts } from '.';

main(courts);
