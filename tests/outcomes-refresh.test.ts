/**
 * The outcomes service end to end on the test stack: the broker reads every case through the
 * gateway under its own identity, the owners log each read, the snapshot is de-identified, and an
 * analyst's query is answered from it with small cells suppressed.
 */
import { TestStack, startTestStack } from './support/stack';
import { Who } from './support/tokens';

jest.setTimeout(300_000);

const COURTS_ANALYST: Who = { agency: 'courts', role: 'analyst', purpose: 'research' };

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ cases: 150 });
});
afterAll(async () => {
  await stack?.stop();
});

const QUERY = `query($by: [OutcomeDimension!], $period: OutcomePeriod) { outcomes { mandateCompliance(by: $by, period: $period) {
  metric by period asOf agreements cells { key { dimension value } count numerator denominator rate suppressed suppressionReason } } } }`;

describe('refresh', () => {
  it('before any refresh, an analyst is told there is no snapshot yet', async () => {
    const result = await stack.gql(QUERY, {}, { as: COURTS_ANALYST });
    expect(result.errors?.[0]?.extensions?.code).toBe('SNAPSHOT_UNAVAILABLE');
  });

  it('reads every case through the gateway and answers an analyst from the snapshot', async () => {
    const messages: string[] = [];
    const result = await stack.refreshOutcomes((m) => messages.push(m));
    expect(result.cases).toBe(150);
    expect(result.cells).toBeGreaterThan(0);
    expect(result.agreements).toEqual(expect.arrayContaining(['MOU-2026-CRT-R1 v2', 'MOU-2026-PRB-R1 v2', 'MOU-2026-CNS-R1 v2', 'MOU-2026-HSG-O1 v1']));
    expect(messages.some((m) => /150 cases read/.test(m))).toBe(true);

    const answer = await stack.gql(QUERY, { by: ['PROGRAM_TYPE'] }, { as: COURTS_ANALYST });
    expect(answer.errors).toBeUndefined();
    const table = answer.data.outcomes.mandateCompliance;
    expect(table.agreements).toEqual(result.agreements);
    expect(new Date(table.asOf).getTime()).toBeGreaterThan(0);
    expect(table.cells.length).toBeGreaterThan(0);
    for (const cell of table.cells) {
      if (cell.suppressed) {
        expect(cell.numerator).toBeNull();
        expect(['SMALL_CELL', 'COMPLEMENTARY']).toContain(cell.suppressionReason);
      } else {
        expect(cell.denominator).toBeGreaterThan(10);
        expect(cell.rate).toBeCloseTo(cell.numerator / cell.denominator, 6);
      }
    }
  });
});
