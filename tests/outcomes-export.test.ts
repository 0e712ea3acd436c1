/** `npm run outcomes:export`: its arguments, and the CSV it writes (suppressed cells marked, no values). */
import { parseExportArgs, tableToCsv } from '../subgraphs/outcomes/export';
import { planTable } from '../subgraphs/outcomes/tables';

describe('outcomes:export arguments', () => {
  it('reads a metric, dimensions and a period', () => {
    expect(parseExportArgs(['--metric', 'recidivism', '--by', 'court,completion', '--year', '2026', '--quarter', '2'])).toEqual({
      metric: 'recidivism', by: ['COURT', 'COMPLETION'], year: 2026, quarter: 2,
    });
  });
  it.each([
    [['--metric', 'happiness'], /--metric must be one of mandateCompliance/],
    [['--metric', 'recidivism', '--by', 'SHOE_SIZE'], /--by names "SHOE_SIZE"/],
    [['--metric', 'recidivism', '--quarter', '2'], /--quarter needs --year/],
    [['--metric', 'recidivism', '--year', '26.5'], /--year must be a whole number/],
    [['--metric'], /unexpected argument "--metric"/],
  ])('refuses %j naming what is wrong', (argv, message) => {
    expect(() => parseExportArgs(argv as string[])).toThrow(message);
  });
});

describe('CSV', () => {
  it('writes one row per cell; a suppressed cell has its reason and no values', () => {
    const csv = tableToCsv({
      metric: 'recidivism', period: '2025', asOf: '2026-11-24T12:00:00.000Z', agreements: ['MOU-2026-CRT-R1 v2'],
      cells: [
        { key: [{ dimension: 'COURT', value: 'North, Family Division' }], count: 40, numerator: 12, denominator: 40, rate: 0.3, median: null, q1: null, q3: null, suppressed: false, suppressionReason: null },
        { key: [{ dimension: 'COURT', value: 'South' }], count: null, numerator: null, denominator: null, rate: null, median: null, q1: null, q3: null, suppressed: true, suppressionReason: 'SMALL_CELL' },
      ],
    }, ['COURT']);
    expect(csv.split('\n')).toEqual([
      'court,count,numerator,denominator,rate,median,q1,q3,suppressed,metric,period,as_of,agreements',
      '"North, Family Division",40,12,40,0.3,,,,,recidivism,2025,2026-11-24T12:00:00.000Z,MOU-2026-CRT-R1 v2',
      'South,,,,,,,,SMALL_CELL,recidivism,2025,2026-11-24T12:00:00.000Z,MOU-2026-CRT-R1 v2',
      '',
    ]);
  });
});

describe('which stored table a query reads', () => {
  it('adds the period’s dimension to the grouping, or filters the quarters of a year', () => {
    expect(planTable({ metric: 'recidivism', by: ['court'], period: { year: 2025 } })).toEqual({ grouping: 'court,year', filter: { dimension: 'year', value: '2025' } });
    expect(planTable({ metric: 'recidivism', by: ['court'], period: { year: 2025, quarter: 3 } })).toEqual({ grouping: 'court,quarter', filter: { dimension: 'quarter', value: '2025-Q3' } });
    expect(planTable({ metric: 'recidivism', by: ['quarter'], period: { year: 2025 } })).toEqual({ grouping: 'quarter', filter: { dimension: 'quarter', value: '2025-Q' } });
    expect(planTable({ metric: 'recidivism', by: [] })).toEqual({ grouping: '', filter: undefined });
  });
  it('refuses groupings the snapshot does not publish, naming the argument', () => {
    expect(() => planTable({ metric: 'recidivism', by: ['court', 'caseType', 'completion'], period: { year: 2025 } })).toThrow(/Invalid input: by may hold at most 3 dimensions/);
    expect(() => planTable({ metric: 'mandateCompliance', by: ['completion'] })).toThrow(/by names COMPLETION, which mandateCompliance does not have/);
    expect(() => planTable({ metric: 'recidivism', by: ['year'], period: { year: 2025, quarter: 1 } })).toThrow(/by names YEAR while the period is a quarter/);
    expect(() => planTable({ metric: 'recidivism', by: ['court', 'court'] })).toThrow(/by names COURT twice/);
  });
});
