/** Starts the counseling subgraph on its own: npm run start:counseling */
import { main } from '../../lib/run-subgraph';
import { counseling } from '.';

main(counseling);
