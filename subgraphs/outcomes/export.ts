/**
 * `npm run outcomes:export`: one metric's table as CSV, asked through the gateway with the
 * analyst's own token (so the agreements decide it and the disclosure log records it, as for any
 * query). Suppressed cells keep their row, with empty values and the reason.
 */
import { METRICS, MetricName } from './metrics';
import { DIMENSION_BY_ENUM } from './tables';

export interface ExportArgs {
  metric: MetricName;
  by: string[];
  year?: number;
  quarter?: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXPORT_USAGE =
  `usage: npm run --silent outcomes:export -- --metric <${METRICS.join('|')}> [--by DIM,DIM] [--year YYYY [--quarter 1-4]]\n` +
  `  DIM: ${Object.keys(DIMENSION_BY_ENUM).join(', ')}; the token is read from $TOKEN (an analyst's), the gateway from GATEWAY_URL or GATEWAY_PORT`;

export function parseExportArgs(argv: string[]): ExportArgs {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    if (!/^--(metric|by|year|quarter)$/.test(name) || argv[i + 1] === undefined) throw new UsageError(`unexpected argument "${name}"\n${EXPORT_USAGE}`);
    args[name.slice(2)] = argv[i + 1];
  }
  if (!args.metric || !(METRICS as readonly string[]).includes(args.metric)) throw new UsageError(`--metric must be one of ${METRICS.join(', ')}\n${EXPORT_USAGE}`);
  const by = args.by ? args.by.split(',').map((d) => d.trim().toUpperCase()).filter(Boolean) : [];
  for (const d of by) if (!DIMENSION_BY_ENUM[d]) throw new UsageError(`--by names "${d}", not one of ${Object.keys(DIMENSION_BY_ENUM).join(', ')}`);
  const int = (name: 'year' | 'quarter', min: number, max: number) => {
    if (args[name] === undefined) return undefined;
    const n = Number(args[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${args[name]}"`);
    return n;
  };
  const year = int('year', 1900, 2999);
  const quarter = int('quarter', 1, 4);
  if (quarter !== undefined && year === undefined) throw new UsageError('--quarter needs --year');
  return { metric: args.metric as MetricName, by, year, quarter };
}

export function exportQuery(metric: MetricName): string {
  return `query OutcomesExport($by: [OutcomeDimension!], $period: OutcomePeriod) { outcomes { ${metric}(by: $by, period: $period) {
    metric period asOf agreements cells { key { dimension value } count numerator denominator rate median q1 q3 suppressed suppressionReason } } } }`;
}

interface ExportTable {
  metric: string;
  period: string | null;
  asOf: string;
  agreements: string[];
  cells: { key: { dimension: string; value: string }[]; count: number | null; numerator: number | null; denominator: number | null; rate: number | null; median: number | null; q1: number | null; q3: number | null; suppressed: boolean; suppressionReason: string | null }[];
}

const csvField = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The table as CSV: one row per cell; `suppressed` holds the reason (empty when published). */
export function tableToCsv(table: ExportTable, by: string[]): string {
  const header = [...by.map((d) => d.toLowerCase()), 'count', 'numerator', 'denominator', 'rate', 'median', 'q1', 'q3', 'suppressed', 'metric', 'period', 'as_of', 'agreements'];
  const lines = [header.join(',')];
  for (const c of table.cells) {
    const keys = by.map((d) => c.key.find((k) => k.dimension === d)?.value ?? '');
    lines.push([...keys, c.count, c.numerator, c.denominator, c.rate, c.median, c.q1, c.q3, c.suppressionReason ?? '', table.metric, table.period ?? 'all', table.asOf, table.agreements.join(' ')].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}
