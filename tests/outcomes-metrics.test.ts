/**
 * Each metric on a small hand-made data set, the expected answers worked out by hand in the
 * comments (not by the code under test). Snapshot date (asOf) 2026-11-24 throughout.
 */
import { DeidentifiedCase, ageBand } from '../subgraphs/outcomes/records';
import { METRIC_SPECS, MetricName, Unit, publishMetric, quantile, referredWithoutConsent } from '../subgraphs/outcomes/metrics';
import { allowedGroupings } from '../subgraphs/outcomes/suppression';

const AS_OF = '2026-11-24';

function kase(id: string, over: Partial<DeidentifiedCase>): DeidentifiedCase {
  return {
    case: id, court: 'North', caseType: 'CRIMINAL_DOMESTIC_VIOLENCE', status: 'OPEN', filed: '2025-01-10', disposed: null,
    parties: [], orders: [], mandates: [], referrals: [], violations: [], services: [], supervisions: [], ...over,
  };
}

/** The units summed over everything (the total row), without suppression. */
function totals(metric: MetricName, cases: DeidentifiedCase[]) {
  const units = METRIC_SPECS[metric].units(cases, AS_OF);
  const sum = (f: (u: Unit) => number) => units.reduce((s, u) => s + f(u), 0);
  return { units, count: units.length, hits: sum((u) => u.protect[0]), num: sum((u) => u.num ?? 0), den: sum((u) => u.den ?? 0), values: units.map((u) => u.value!).sort((a, b) => a - b) };
}

const enrollment = (o: Partial<DeidentifiedCase['mandates'][0]['enrollments'][0]>) => ({ enrolled: '2025-02-01', requiredSessions: 20, attended: 20, discharged: null, outcome: null, ...o });
const mandate = (o: Partial<DeidentifiedCase['mandates'][0]>) => ({ person: 'R1', programType: 'BATTERER_INTERVENTION', ordered: '2025-01-15', due: '2025-07-15', status: 'ORDERED', enrollments: [], ...o });

describe('mandate compliance', () => {
  const cases = [
    kase('C1', { mandates: [
      // due 2025-07-15, completed 2025-07-01: complied.
      mandate({ enrollments: [enrollment({ discharged: '2025-07-01', outcome: 'COMPLETED' })] }),
      // completed 2025-08-01, after its due date: not complied.
      mandate({ person: 'R2', enrollments: [enrollment({ discharged: '2025-08-01', outcome: 'COMPLETED' })] }),
      // never enrolled: not complied.
      mandate({ person: 'R3' }),
      // vacated: not counted.
      mandate({ person: 'R4', status: 'VACATED' }),
      // due after the snapshot date: not yet due, not counted.
      mandate({ person: 'R5', due: '2027-01-01' }),
      // substance-use treatment (Part 2) is not released to the broker: not counted.
      mandate({ person: 'R6', programType: 'SUBSTANCE_USE_TREATMENT' }),
    ] }),
  ];
  it('is completed by the due date / mandates due: 1 / 3', () => {
    const t = totals('mandateCompliance', cases);
    expect([t.hits, t.count]).toEqual([1, 3]);
    // all three are due in 2025-Q3 (July).
    expect(new Set(t.units.map((u) => u.key.quarter))).toEqual(new Set(['2025-Q3']));
    expect(t.units.every((u) => u.key.riskLevel === 'NOT_SUPERVISED')).toBe(true);
  });
});

describe('attendance', () => {
  const cases = [kase('C1', { mandates: [mandate({ enrollments: [
    enrollment({ requiredSessions: 20, attended: 15, discharged: '2025-06-01' }), // 15 of 20
    enrollment({ requiredSessions: 10, attended: 12, discharged: '2025-06-02' }), // capped: 10 of 10
    enrollment({ requiredSessions: 26, attended: 3, discharged: null }), // still enrolled: not counted
  ] })] })];
  it('is sessions attended / sessions required of discharged enrollments: 25 / 30', () => {
    const t = totals('attendance', cases);
    expect([t.num, t.den, t.count]).toEqual([25, 30, 2]);
  });
});

describe('recidivism', () => {
  // R1: index case C1 disposed 2025-03-01 with a completed mandate; new case as respondent filed 2025-12-01 (within 12 months): reoffended.
  // R2: index case C2 disposed 2025-03-01, mandate not completed; a sustained violation on 2026-04-01 (after 12 months): not reoffended.
  // R3: index case C3 disposed 2025-05-01, no mandate; violation found 2025-06-01 (within): reoffended.
  // R4: disposed 2026-06-01: window ends 2027-06-01, after the snapshot: no index yet.
  // R5: named as victim only: not a respondent.
  const cases = [
    kase('C1', { disposed: '2025-03-01', parties: [{ person: 'R1', role: 'DEFENDANT', ageBand: '25_34' }, { person: 'R5', role: 'VICTIM', ageBand: '25_34' }],
      mandates: [mandate({ person: 'R1', status: 'COMPLETED' })] }),
    kase('C2', { disposed: '2025-03-01', parties: [{ person: 'R2', role: 'RESPONDENT', ageBand: '35_44' }],
      mandates: [mandate({ person: 'R2', status: 'NON_COMPLIANT' })],
      violations: [{ person: 'R2', type: 'NEW_OFFENSE', occurred: '2026-04-01', finding: 'SUSTAINED', sanctions: [] }] }),
    kase('C3', { disposed: '2025-05-01', parties: [{ person: 'R3', role: 'DEFENDANT', ageBand: '18_24' }],
      violations: [{ person: 'R3', type: 'MISSED_CHECK_IN', occurred: '2025-06-01', finding: 'SUSTAINED', sanctions: [] }] }),
    kase('C4', { filed: '2025-12-01', parties: [{ person: 'R1', role: 'DEFENDANT', ageBand: '25_34' }] }),
    kase('C5', { disposed: '2026-06-01', parties: [{ person: 'R4', role: 'DEFENDANT', ageBand: '25_34' }] }),
  ];
  it('is respondents reoffending within 12 months of the index disposition / respondents with an index case: 2 / 3, split by completion', () => {
    const t = totals('recidivism', cases);
    expect([t.hits, t.count]).toEqual([2, 3]);
    const byCompletion = Object.fromEntries(t.units.map((u) => [u.key.completion, u.protect[0]]));
    expect(byCompletion).toEqual({ COMPLETED: 1, NOT_COMPLETED: 0, NO_MANDATE: 1 });
  });
});

describe('re-victimization', () => {
  // V1: order issued 2025-02-01; named as victim in a new case filed 2025-10-01: re-victimized.
  // V2: order issued 2025-02-01; a protective-order violation in her case on 2025-03-15: re-victimized.
  // V3: order issued 2025-04-01; nothing within 12 months (a violation of another type): not.
  // V4: order issued 2026-03-01: window open at the snapshot date: not counted.
  const cases = [
    kase('C1', { orders: [{ issued: '2025-02-01', protected: 'V1', restrained: 'R1' }] }),
    kase('C2', { filed: '2025-10-01', parties: [{ person: 'V1', role: 'VICTIM', ageBand: '25_34' }] }),
    kase('C3', { orders: [{ issued: '2025-02-01', protected: 'V2', restrained: 'R2' }],
      violations: [{ person: 'R2', type: 'PROTECTIVE_ORDER_VIOLATION', occurred: '2025-03-15', finding: 'PENDING', sanctions: [] }] }),
    kase('C4', { orders: [{ issued: '2025-04-01', protected: 'V3', restrained: 'R3' }],
      violations: [{ person: 'R3', type: 'MISSED_CHECK_IN', occurred: '2025-05-01', finding: 'SUSTAINED', sanctions: [] }] }),
    kase('C5', { orders: [{ issued: '2026-03-01', protected: 'V4', restrained: 'R4' }] }),
  ];
  it('is protected persons named in a new case or a protective-order violation within 12 months / protected persons with an index order: 2 / 3', () => {
    const t = totals('revictimization', cases);
    expect([t.hits, t.count]).toEqual([2, 3]);
  });
});

describe('victim service engagement', () => {
  // Only victims whose consent lets the broker see the receiving agency's records count (VAWA).
  // V1 referred to housing 2025-03-01 (consented), admitted to shelter 2025-03-20 (day 19): engaged.
  // V2 referred to counseling 2025-03-01 (consented), enrolled 2025-04-15 (day 45): not engaged.
  // V3 referred to legal advocacy only: not a housing or counseling referral, not counted.
  // V4 referred to housing 2025-05-01 (consented), applied for housing 2025-05-31 (day 30, the last day): engaged.
  // V5 referred 2026-11-10 (consented): the 30 days have not passed, not counted.
  // V6 referred to housing 2025-06-01 without consent: left out (the broker sees none of their
  //    housing records, so a shelter stay the broker could not see must not count as "not engaged").
  // V7 referred to counseling 2025-06-01 without consent, 2025-07-01 to housing with consent: the
  //    first referral decides, so left out.
  const cases = [
    kase('C1', {
      referrals: [
        { person: 'V1', toAgency: 'HOUSING', referred: '2025-03-01', consented: true },
        { person: 'V2', toAgency: 'COUNSELING', referred: '2025-03-01', consented: true },
        { person: 'V3', toAgency: 'COURTS', referred: '2025-03-01', consented: null },
        { person: 'V4', toAgency: 'HOUSING', referred: '2025-05-01', consented: true },
        { person: 'V5', toAgency: 'HOUSING', referred: '2026-11-10', consented: true },
        { person: 'V6', toAgency: 'HOUSING', referred: '2025-06-01', consented: false },
        { person: 'V7', toAgency: 'COUNSELING', referred: '2025-06-01', consented: false },
        { person: 'V7', toAgency: 'HOUSING', referred: '2025-07-01', consented: true },
      ],
      services: [
        { person: 'V1', kind: 'SHELTER', date: '2025-03-20' },
        { person: 'V2', kind: 'COUNSELING', date: '2025-04-15' },
        { person: 'V4', kind: 'HOUSING_APPLICATION', date: '2025-05-31' },
        { person: 'V5', kind: 'SHELTER', date: '2026-11-11' },
        { person: 'V7', kind: 'SHELTER', date: '2025-07-02' },
      ],
    }),
  ];
  it('is consenting victims engaged within 30 days / consenting victims referred: 2 / 3', () => {
    const t = totals('victimServiceEngagement', cases);
    expect([t.hits, t.count]).toEqual([2, 3]);
  });
  it('leaves out 2 referred victims for lack of consent (V6, V7; V5 has not reached 30 days)', () => {
    expect(referredWithoutConsent(cases, AS_OF)).toBe(2);
  });
});

describe('days from mandate to enrollment', () => {
  // ordered 2025-01-15; first enrollments after 5, 10, 20 and 45 days; one never enrolled (not counted).
  const at = (d: number) => new Date(Date.UTC(2025, 0, 15 + d)).toISOString().slice(0, 10);
  const cases = [kase('C1', { mandates: [5, 10, 20, 45].map((d) => mandate({ enrollments: [enrollment({ enrolled: at(d) }), enrollment({ enrolled: at(d + 100) })] })).concat([mandate({})]) })];
  it('has median 15 and quartiles 8.75 and 26.25 (linear interpolation: positions 0.75, 1.5, 2.25 of 5, 10, 20, 45)', () => {
    const t = totals('daysToEnrollment', cases);
    expect(t.values).toEqual([5, 10, 20, 45]);
    // q1: 5 + 0.75*(10-5) = 8.75; median: 10 + 0.5*(20-10) = 15; q3: 20 + 0.25*(45-20) = 26.25.
    expect([quantile(t.values, 0.25), quantile(t.values, 0.5), quantile(t.values, 0.75)]).toEqual([8.75, 15, 26.25]);
  });
});

describe('violations per 100 supervision-months', () => {
  // S1: 2025-01-01 to 2025-07-01 (181 days), 2 reports in it, one after it (not counted).
  // S2: 2025-03-01, still open: to the snapshot date 2026-11-24 (633 days), no reports.
  const cases = [kase('C1', { supervisions: [
    { person: 'R1', start: '2025-01-01', end: '2025-07-01', riskLevel: 'HIGH', violationReports: ['2025-02-01', '2025-05-01', '2025-08-01'] },
    { person: 'R2', start: '2025-03-01', end: null, riskLevel: 'LOW', violationReports: [] },
  ] })];
  it('is 2 violations over (181 + 633) / 30.4375 months = 26.744 months: 7.478 per 100', () => {
    const t = totals('violationsPerSupervisionMonths', cases);
    expect(t.num).toBe(2);
    expect(t.den).toBeCloseTo(814 / 30.4375, 9);
    expect((100 * t.num) / t.den).toBeCloseTo(7.4785, 3);
    // protected by persons supervised and those with a violation: 1 of 2.
    expect([t.hits, t.count]).toEqual([1, 2]);
  });
});

describe('days from violation to sanction', () => {
  // sustained 2025-03-01, sanctions 2025-03-11 and 2025-04-01: 10 days (the first); sustained 2025-05-01, sanction 2025-05-31: 30 days;
  // sustained without a sanction and a pending one with a sanction: not counted.
  const cases = [kase('C1', { violations: [
    { person: 'R1', type: 'OTHER', occurred: '2025-03-01', finding: 'SUSTAINED', sanctions: ['2025-03-11', '2025-04-01'] },
    { person: 'R1', type: 'OTHER', occurred: '2025-05-01', finding: 'SUSTAINED', sanctions: ['2025-05-31'] },
    { person: 'R1', type: 'OTHER', occurred: '2025-06-01', finding: 'SUSTAINED', sanctions: [] },
    { person: 'R1', type: 'OTHER', occurred: '2025-06-01', finding: 'PENDING', sanctions: ['2025-06-05'] },
  ] })];
  it('counts 10 and 30 days: median 20', () => {
    const t = totals('daysToSanction', cases);
    expect(t.values).toEqual([10, 30]);
    expect(quantile(t.values, 0.5)).toBe(20);
  });
});

describe('age bands', () => {
  it('are the age at the event, never the birth date', () => {
    expect(ageBand('2000-06-15', '2025-06-14')).toBe('18_24'); // 24 the day before the birthday
    expect(ageBand('2000-06-15', '2025-06-15')).toBe('25_34');
    expect(ageBand(null, '2025-06-15')).toBe('UNKNOWN');
  });
});

describe('publishing', () => {
  // 44 mandates in two courts: North 12 of 24 complied (12, 24 and 12 not complied: none small),
  // South 5 of 20 (5 is small: suppressed), so North must be suppressed too (else South = total - North).
  const cases = [
    kase('N', { court: 'North', mandates: Array.from({ length: 24 }, (_, i) => mandate({ person: `N${i}`, enrollments: i < 12 ? [enrollment({ discharged: '2025-07-01', outcome: 'COMPLETED' })] : [] })) }),
    kase('S', { court: 'South', mandates: Array.from({ length: 20 }, (_, i) => mandate({ person: `S${i}`, enrollments: i < 5 ? [enrollment({ discharged: '2025-07-01', outcome: 'COMPLETED' })] : [] })) }),
  ];
  it('publishes the total 17 / 44 and suppresses both courts', () => {
    const tables = publishMetric(METRIC_SPECS.mandateCompliance, METRIC_SPECS.mandateCompliance.units(cases, AS_OF));
    const total = tables.find((t) => t.by.length === 0)!.cells[0];
    expect([total.numerator, total.denominator, total.rate]).toEqual([17, 44, 17 / 44]);
    const byCourt = tables.find((t) => t.by.length === 1 && t.by[0] === 'court')!.cells;
    const south = byCourt.find((c) => c.key.court === 'South')!;
    const north = byCourt.find((c) => c.key.court === 'North')!;
    expect(south).toMatchObject({ suppressed: 'SMALL_CELL', numerator: null, denominator: null, rate: null });
    expect(north).toMatchObject({ suppressed: 'COMPLEMENTARY', numerator: null, denominator: null, rate: null });
  });
});

describe('suppression of daysToEnrollment over the 1,000-case seed, and when suppression fails', () => {
  // The finest cells of daysToEnrollment over the 1,000-case seed (2026-11-26), on which the
  // suppression module once threw "a disclosed cell has no published neighbour left to suppress".
  const fixture = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, 'fixtures', 'outcomes-fine-cells-daysToEnrollment-1000.json'), 'utf8'));
  const units: Unit[] = fixture.fine.flatMap((c: { key: Unit['key']; denominator: number }) =>
    Array.from({ length: c.denominator }, (_, i) => ({ key: c.key, protect: [1, 1] as [number, number], value: i })));

  it('settles: the metric is published with values where suppression allows them, and no failure is reported', () => {
    const failures: string[] = [];
    const tables = publishMetric(METRIC_SPECS.daysToEnrollment, units, { onSuppressionFailure: (m) => failures.push(m) });
    expect(failures).toEqual([]);
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) for (const c of t.cells) {
      if (c.suppressed) expect([c.count, c.median]).toEqual([null, null]);
      else expect(c.count === 0 || c.count! > 10).toBe(true);
    }
    const total = tables.find((t) => t.by.length === 0)!.cells[0];
    expect(total).toMatchObject({ count: units.length, suppressed: null });
  });

  it('fails closed: when the suppression throws, every cell of the metric is suppressed and the failure is reported', () => {
    // A threshold the suppression refuses makes it throw (the safety net does not depend on why).
    const failures: string[] = [];
    const tables = publishMetric(METRIC_SPECS.daysToEnrollment, units, { threshold: -1, onSuppressionFailure: (m) => failures.push(m) });
    expect(failures).toEqual(['daysToEnrollment']);
    expect(tables.map((t) => t.by)).toEqual(allowedGroupings(METRIC_SPECS.daysToEnrollment.dimensions));
    for (const t of tables) {
      expect(t.cells.length).toBeGreaterThan(0);
      for (const c of t.cells) expect(c).toMatchObject({ suppressed: 'COMPLEMENTARY', count: null, median: null, q1: null, q3: null });
    }
  });
});
