/** The four agency subgraphs and the outcomes service, by name. */
import { ServiceName } from '../lib/config';
import { SubgraphDefinition } from '../lib/subgraph';
import { counseling } from './counseling';
import { courts } from './courts';
import { housing } from './housing';
import { outcomes } from './outcomes';
import { probation } from './probation';

export const SUBGRAPHS: Record<ServiceName, SubgraphDefinition<any>> = { courts, housing, counseling, probation, outcomes };
