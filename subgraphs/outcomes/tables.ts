/**
 * Answers one metric's table from the current snapshot: the `by` and `period` an analyst asks
 * for, checked against the groupings the snapshot publishes (the same ones suppression protected
 * jointly), then one indexed read of the stored cells.
 */
import { DataSource } from 'typeorm';
import { GraphQLError } from 'graphql';
import { MetricName, METRIC_SPECS } from './metrics';
import { Dimension, allowedGroupings } from './suppression';
import { groupingName } from './refresh';

export const DIMENSION_BY_ENUM: Record<string, Dimension> = {
  COURT: 'court',
  PROGRAM_TYPE: 'programType',
  CASE_TYPE: 'caseType',
  RISK_LEVEL: 'riskLevel',
  COMPLETION: 'completion',
  YEAR: 'year',
  QUARTER: 'quarter',
};
export const ENUM_BY_DIMENSION = Object.fromEntries(Object.entries(DIMENSION_BY_ENUM).map(([k, v]) => [v, k])) as Record<Dimension, string>;

export interface PeriodInput {
  year: number;
  quarter?: number | null;
}

export interface TableQuery {
  metric: MetricName;
  by: Dimension[];
  period?: PeriodInput | null;
}

function badInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`Invalid input: ${field} ${message}`, { extensions: { code: 'BAD_USER_INPUT', field, problems: [{ field, message }] } });
}

/** The stored grouping a query reads, and the period's filter; throws BAD_USER_INPUT naming the argument. */
export function planTable(query: TableQuery): { grouping: string; filter?: { dimension: 'year' | 'quarter'; value: string } } {
  const spec = METRIC_SPECS[query.metric];
  const by = query.by;
  const seen = new Set<Dimension>();
  for (const d of by) {
    if (seen.has(d)) throw badInput('by', `names ${ENUM_BY_DIMENSION[d]} twice`);
    seen.add(d);
    if (!spec.dimensions.includes(d)) {
      throw badInput('by', `names ${ENUM_BY_DIMENSION[d]}, which ${query.metric} does not have (it has ${spec.dimensions.map((x) => ENUM_BY_DIMENSION[x]).join(', ')})`);
    }
  }
  let filter: { dimension: 'year' | 'quarter'; value: string } | undefined;
  const dims = [...by];
  if (query.period) {
    const { year, quarter } = query.period;
    if (!Number.isInteger(year) || year < 1900 || year > 2999) throw badInput('period.year', 'must be a year, e.g. 2026');
    if (quarter !== undefined && quarter !== null && (!Number.isInteger(quarter) || quarter < 1 || quarter > 4)) throw badInput('period.quarter', 'must be 1 to 4');
    filter = quarter ? { dimension: 'quarter', value: `${year}-Q${quarter}` } : { dimension: 'year', value: String(year) };
    if (quarter && seen.has('year')) throw badInput('by', 'names YEAR while the period is a quarter');
    if (filter.dimension === 'year' && seen.has('quarter')) filter = { dimension: 'quarter', value: `${year}-Q` };
    else if (!seen.has(filter.dimension)) dims.push(filter.dimension);
  }
  const grouping = groupingName(dims);
  if (!allowedGroupings(spec.dimensions).some((g) => groupingName(g) === grouping)) {
    throw badInput('by', `may hold at most 3 dimensions counting the period's, and not both YEAR and QUARTER (asked: ${dims.map((d) => ENUM_BY_DIMENSION[d]).join(', ') || 'none'})`);
  }
  return { grouping, filter };
}

export interface AnsweredTable {
  metric: MetricName;
  by: string[];
  period: string | null;
  asOf: Date;
  agreements: string[];
  cells: {
    key: { dimension: string; value: string }[];
    count: number | null;
    numerator: number | null;
    denominator: number | null;
    rate: number | null;
    median: number | null;
    q1: number | null;
    q3: number | null;
    suppressed: boolean;
    suppressionReason: string | null;
  }[];
}

export class NoSnapshotYet extends GraphQLError {
  constructor() {
    super('No outcomes snapshot has been taken yet (npm run outcomes:refresh, or wait for the next refresh).', { extensions: { code: 'SNAPSHOT_UNAVAILABLE' } });
  }
}

/** The table from the current snapshot. */
export async function answerTable(db: DataSource, query: TableQuery): Promise<AnsweredTable> {
  const plan = planTable(query);
  const [snapshot] = await db.query('SELECT id, taken_at AS "takenAt", agreements FROM outcome_snapshot WHERE current');
  if (!snapshot) throw new NoSnapshotYet();
  const params: unknown[] = [snapshot.id, query.metric, plan.grouping];
  let where = '';
  if (plan.filter) {
    params.push(plan.filter.dimension === 'quarter' && plan.filter.value.endsWith('-Q') ? `${plan.filter.value}%` : plan.filter.value);
    where = plan.filter.value.endsWith('-Q') ? ` AND key->>'quarter' LIKE $4` : ` AND key->>'${plan.filter.dimension}' = $4`;
  }
  const rows: { key: Record<string, string>; count: number | null; numerator: number | null; denominator: number | null; rate: number | null; median: number | null; q1: number | null; q3: number | null; suppressed: string | null }[] =
    await db.query(`SELECT key, count, numerator, denominator, rate, median, q1, q3, suppressed FROM outcome_cell WHERE snapshot_id = $1 AND metric = $2 AND grouping = $3${where} ORDER BY seq`, params);
  return {
    metric: query.metric,
    by: query.by.map((d) => ENUM_BY_DIMENSION[d]),
    period: query.period ? (query.period.quarter ? `${query.period.year}-Q${query.period.quarter}` : String(query.period.year)) : null,
    asOf: snapshot.takenAt,
    agreements: snapshot.agreements,
    cells: rows.map((r) => ({
      key: query.by.map((d) => ({ dimension: ENUM_BY_DIMENSION[d], value: r.key[d] ?? (d === 'year' ? r.key.quarter?.slice(0, 4) : undefined) ?? '' })),
      count: r.count,
      numerator: r.numerator,
      denominator: r.denominator,
      rate: r.rate,
      median: r.median,
      q1: r.q1,
      q3: r.q3,
      suppressed: r.suppressed !== null,
      suppressionReason: r.suppressed,
    })),
  };
}
