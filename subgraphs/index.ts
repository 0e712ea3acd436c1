/** The four agency subgraphs, by agency name. */
import { ServiceName } from '../lib/config';
import { SubgraphDefinition } from '../lib/subgraph';
import { counseling } from './counseling';
import { courts } from './courts';
import { housing } from './housing';
import { probation } from './probation';

export const SUBGRAPHS: Record<ServiceName, SubgraphDefinition<any>> = { courts, housing, counseling, probation };
