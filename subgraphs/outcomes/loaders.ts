import { DataSource } from 'typeorm';
import { RequestBatches } from '../../lib/loaders';

/** The outcomes subgraph reads one table per metric field: no per-row loaders. */
export function createOutcomesLoaders(_db: DataSource, _batches: RequestBatches) {
  return {};
}

export type OutcomesLoaders = ReturnType<typeof createOutcomesLoaders>;
