import { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { SubgraphContext } from '../../lib/subgraph';
import { METRICS, MetricName } from './metrics';
import { DIMENSION_BY_ENUM, PeriodInput, answerTable } from './tables';
import { OutcomesLoaders } from './loaders';

type Ctx = SubgraphContext<OutcomesLoaders>;
type Args = { by?: string[] | null; period?: PeriodInput | null };

const metricResolver = (metric: MetricName) => (_: unknown, args: Args, ctx: Ctx) =>
  ctx.batches.track(answerTable(ctx.db, { metric, by: (args.by ?? []).map((d) => DIMENSION_BY_ENUM[d]), period: args.period }));

export const outcomesResolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    // The metrics hang from one object; each metric field is decided by the agreements on its own.
    outcomes: () => ({}),
  },
  OutcomeMetrics: Object.fromEntries(METRICS.map((m) => [m, metricResolver(m)])),
};
