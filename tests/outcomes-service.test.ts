/**
 * The outcomes service end to end on the test stack: the broker reads every case through the
 * gateway under its own identity and each owner logs the reads; the snapshot is de-identified;
 * analysts get the metrics their agreements name (and nothing row-level), everyone else is refused
 * before anything is read, and a refresh that is refused anything keeps the previous snapshot.
 */
import { TestStack, startTestStack } from './support/stack';
import { JUDGE, Who, tokenFor } from './support/tokens';
import { refreshOutcomes } from '../subgraphs/outcomes/refresh';

jest.setTimeout(300_000);

const COURTS_ANALYST: Who = { agency: 'courts', role: 'analyst', purpose: 'research' };
const PROBATION_ANALYST: Who = { agency: 'probation', role: 'analyst', purpose: 'research' };
const HOUSING_ANALYST: Who = { agency: 'housing', role: 'analyst', purpose: 'research' };
const BROKER: Who = { agency: 'outcomes', role: 'broker', purpose: 'research' };

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ cases: 150 });
});
afterAll(async () => {
  await stack?.stop();
});

const QUERY = `query($by: [OutcomeDimension!], $period: OutcomePeriod) { outcomes { mandateCompliance(by: $by, period: $period) {
  metric by period asOf agreements cells { key { dimension value } count numerator denominator rate suppressed suppressionReason } } } }`;

const currentSnapshot = async () => (await stack.databases.outcomes.query('SELECT id FROM outcome_snapshot WHERE current'))[0]?.id ?? null;

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
    expect(result.agreements).toEqual(['MOU-2026-CNS-O2 v2', 'MOU-2026-CNS-R1 v2', 'MOU-2026-CRT-R1 v2', 'MOU-2026-HSG-O1 v2', 'MOU-2026-PRB-R1 v2']);
    expect(messages.some((m) => /150 cases read/.test(m))).toBe(true);

    const answer = await stack.gql(QUERY, { by: ['PROGRAM_TYPE'] }, { as: COURTS_ANALYST });
    expect(answer.errors).toBeUndefined();
    const table = answer.data.outcomes.mandateCompliance;
    expect(table.agreements).toEqual(result.agreements);
    expect(new Date(table.asOf).getTime()).toBeGreaterThan(0);
    expect(table.cells.length).toBeGreaterThan(0);
    for (const cell of table.cells) {
      expect(cell.key.map((k: any) => k.dimension)).toEqual(['PROGRAM_TYPE']);
      if (cell.suppressed) {
        expect([cell.count, cell.numerator, cell.denominator, cell.rate]).toEqual([null, null, null, null]);
        expect(['SMALL_CELL', 'COMPLEMENTARY']).toContain(cell.suppressionReason);
      } else {
        for (const v of [cell.numerator, cell.denominator, cell.denominator - cell.numerator]) expect(v === 0 || v > 10).toBe(true);
        expect(cell.rate).toBeCloseTo(cell.numerator / cell.denominator, 9);
      }
    }
    // The published cells add up to the total where none is suppressed.
    const total = (await stack.gql(QUERY, {}, { as: COURTS_ANALYST })).data.outcomes.mandateCompliance.cells[0];
    if (!table.cells.some((c: any) => c.suppressed)) expect(table.cells.reduce((s: number, c: any) => s + c.denominator, 0)).toBe(total.denominator);
  });

  it('keeps only a de-identified snapshot: no ids, names, birth dates or docket numbers of any agency', async () => {
    const records: string = (await stack.databases.outcomes.query("SELECT string_agg(record::text, '\n') AS t FROM outcome_record r JOIN outcome_snapshot s ON s.id = r.snapshot_id AND s.current"))[0].t;
    const people = await stack.databases.courts.query('SELECT id, given_name AS "givenName", family_name AS "familyName", date_of_birth AS "dateOfBirth" FROM person');
    const cases = await stack.databases.courts.query('SELECT id, docket_number AS "docketNumber" FROM court_case');
    for (const p of people) {
      expect(records).not.toContain(p.id);
      expect(records).not.toContain(`"${p.familyName}"`);
      if (p.dateOfBirth) expect(records).not.toContain(p.dateOfBirth);
    }
    for (const c of cases) {
      expect(records).not.toContain(c.id);
      expect(records).not.toContain(c.docketNumber);
    }
    expect(records).toMatch(/"ageBand": ?"(UNDER_18|18_24|25_34|35_44|45_54|55_PLUS|UNKNOWN)"/);
  });

  it('writes each broker read into the owner’s disclosure log, under the agreement that granted it', async () => {
    const expected = { courts: ['MOU-2026-CRT-R1'], housing: ['MOU-2026-HSG-O1'], counseling: ['MOU-2026-CNS-O2', 'MOU-2026-CNS-R1'], probation: ['MOU-2026-PRB-R1'] } as const;
    for (const [agency, agreements] of Object.entries(expected) as [keyof typeof expected, readonly string[]][]) {
      const rows = await stack.asOwner(agency, (db) =>
        db.query(`SELECT DISTINCT agreement_id AS "agreementId", outcome, reason, coordinates FROM disclosure_log WHERE caller_agency = 'outcomes' AND caller_role = 'broker' AND purpose = 'research'`));
      expect({ agency, rows: [...new Set(rows.filter((r: any) => r.outcome === 'RELEASED').map((r: any) => r.agreementId))].sort() }).toEqual({ agency, rows: [...agreements] });
      // The only refusals: a referred victim's research consent, where the victim has given none (VAWA).
      for (const r of rows.filter((r: any) => r.outcome !== 'RELEASED')) {
        expect({ agency, ...r }).toEqual({ agency, agreementId: agency === 'housing' ? 'MOU-2026-HSG-O1' : 'MOU-2026-CNS-O2', outcome: 'DENIED', reason: 'CONSENT_MISSING', coordinates: [`Person.${agency}ResearchConsent`] });
      }
    }
  });

  it('fails closed: a refresh refused any field keeps the previous snapshot current', async () => {
    const before = await currentSnapshot();
    // A judge's token: the court's own staff, but refused other agencies' records (and logged as such).
    const refused = refreshOutcomes({ db: stack.databases.outcomes, gatewayUrl: stack.gatewayUrl, today: stack.clock.today(), token: await tokenFor(JUDGE) });
    await expect(refused).rejects.toThrow(/FORBIDDEN .*the previous snapshot stays current/);
    expect(await currentSnapshot()).toBe(before);
    const answer = await stack.gql(QUERY, {}, { as: COURTS_ANALYST });
    expect(answer.errors).toBeUndefined();
  });
});

describe('access', () => {
  const metric = (name: string) => `{ outcomes { ${name} { cells { count rate suppressed } } } }`;

  it.each([
    [COURTS_ANALYST, ['mandateCompliance', 'recidivism', 'revictimization', 'victimServiceEngagement', 'daysToSanction'], []],
    [PROBATION_ANALYST, ['mandateCompliance', 'recidivism', 'violationsPerSupervisionMonths'], ['revictimization', 'victimServiceEngagement']],
    [HOUSING_ANALYST, ['revictimization', 'victimServiceEngagement'], ['mandateCompliance', 'recidivism', 'attendance']],
  ])('%o: exactly the metrics its agreements name', async (who, allowed, refused) => {
    for (const name of allowed) {
      const result = await stack.gql(metric(name), {}, { as: who });
      expect({ name, errors: result.errors }).toEqual({ name, errors: undefined });
      expect(result.data.outcomes[name].cells.length).toBeGreaterThan(0);
    }
    for (const name of refused) {
      const result = await stack.gql(metric(name), {}, { as: who });
      expect(result.data.outcomes[name]).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: `OutcomeMetrics.${name}`, reason: 'NO_AGREEMENT' });
    }
  });

  it.each([
    [JUDGE, 'NO_AGREEMENT'],
    [{ agency: 'courts', role: 'analyst', purpose: 'judicial_review' } as Who, 'PURPOSE_NOT_COVERED'],
    [BROKER, 'ROLE_NOT_PERMITTED'],
  ])('%o is refused at Query.outcomes, before its arguments are checked or anything is read', async (who, reason) => {
    // An invalid grouping: a caller that got past the rule would be told BAD_USER_INPUT.
    const result = await stack.gql(`{ outcomes { mandateCompliance(by: [COMPLETION, COURT, CASE_TYPE, RISK_LEVEL], period: { year: 2026, quarter: 9 }) { cells { count } } } }`, {}, { as: who });
    expect(result.data?.outcomes ?? null).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Query.outcomes', reason });
  });

  it('names what is wrong with a query, and answers nothing', async () => {
    const tooMany = await stack.gql(QUERY, { by: ['COURT', 'PROGRAM_TYPE', 'CASE_TYPE', 'RISK_LEVEL'] }, { as: COURTS_ANALYST });
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'by' });
    const notOfMetric = await stack.gql(QUERY, { by: ['COMPLETION'] }, { as: COURTS_ANALYST });
    expect(notOfMetric.errors?.[0].message).toMatch(/by names COMPLETION, which mandateCompliance does not have/);
    const quarter = await stack.gql(QUERY, { period: { year: 2026, quarter: 5 } }, { as: COURTS_ANALYST });
    expect(quarter.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'period.quarter' });
    for (const r of [tooMany, notOfMetric, quarter]) expect(r.data?.outcomes?.mandateCompliance ?? null).toBeNull();
  });

  it('answers a period: the cells of one year, grouped', async () => {
    const year = Number(stack.clock.today().slice(0, 4));
    const result = await stack.gql(QUERY, { by: ['QUARTER'], period: { year } }, { as: COURTS_ANALYST });
    expect(result.errors).toBeUndefined();
    const table = result.data.outcomes.mandateCompliance;
    expect(table.period).toBe(String(year));
    for (const c of table.cells) expect(c.key[0].value).toMatch(new RegExp(`^${year}-Q[1-4]$`));
  });

  it('records what analysts were answered in the outcomes disclosure log', async () => {
    const result = await stack.gql(QUERY, {}, { as: PROBATION_ANALYST });
    expect(result.errors).toBeUndefined();
    const rows = await stack.asOwner('outcomes', (db) =>
      db.query('SELECT caller_agency AS agency, caller_role AS role, agreement_id AS "agreementId", outcome FROM disclosure_log WHERE request_id = $1', [result.requestId]));
    expect(rows).toEqual([expect.objectContaining({ agency: 'probation', role: 'analyst', agreementId: 'MOU-2026-OUT-A1', outcome: 'RELEASED' })]);
    const refused = await stack.gql(metric('victimServiceEngagement'), {}, { as: PROBATION_ANALYST });
    const denied = await stack.asOwner('outcomes', (db) => db.query('SELECT outcome, reason, coordinates FROM disclosure_log WHERE request_id = $1 AND outcome = $2', [refused.requestId, 'DENIED']));
    expect(denied).toEqual([expect.objectContaining({ reason: 'NO_AGREEMENT', coordinates: ['OutcomeMetrics.victimServiceEngagement'] })]);
  });

  it('analysts no longer get row-level case data from any agency', async () => {
    for (const who of [COURTS_ANALYST, PROBATION_ANALYST, HOUSING_ANALYST]) {
      const result = await stack.gql('{ cases(first: 2) { nodes { id caseType supervisions { id } shelterStays { id } programEnrollments { id } } } }', {}, { as: who });
      expect(result.data?.cases ?? null).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Query.cases' });
    }
    const entities = await stack.gql(`{ _entities(representations: [{ __typename: "Case", id: "${stack.demoCaseId}" }]) { ... on Case { supervisions { id startDate } } } }`, {}, { url: stack.subgraphUrls.probation, as: COURTS_ANALYST });
    expect(entities.data?._entities?.[0]?.supervisions ?? null).toBeNull();
    expect(entities.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Case.supervisions' });
  });
});
