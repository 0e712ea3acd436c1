import { DEFAULT_SEED, SeedRows, generateCase, shelterRows } from '../../lib/seed';

function rowsFor(seed: number, indexes: number[]): SeedRows {
  const rows: any = {
    courts: { people: [], cases: [], parties: [], hearings: [], orders: [], mandates: [], referrals: [], violations: [], sanctions: [] },
    housing: { stays: [], applications: [], consents: [] },
    counseling: { enrollments: [], sessions: [], reports: [], notes: [], consents: [] },
    probation: { supervisions: [], checkIns: [], drugTests: [], assessments: [], complianceReports: [], violationReports: [] },
  };
  for (const i of indexes) generateCase(seed, i, shelterRows(seed), rows);
  return rows;
}

describe('seed', () => {
  it('generates case i the same whatever else is generated', () => {
    const alone = rowsFor(7, [42]);
    const among = rowsFor(7, [40, 41, 42, 43]);
    expect(among.courts.cases[2]).toEqual(alone.courts.cases[0]);
    expect(rowsFor(7, [42])).toEqual(alone);
    expect(rowsFor(8, [42]).courts.cases[0].id).not.toEqual(alone.courts.cases[0].id);
  });

  it('links the agencies’ records the way real cases are linked', () => {
    const rows = rowsFor(1, Array.from({ length: 200 }, (_, i) => i));
    const caseIds = new Set(rows.courts.cases.map((c) => c.id));
    const mandateIds = new Set(rows.courts.mandates.map((m) => m.id));
    const reportIds = new Set(rows.probation.violationReports.map((r) => r.id));
    const people = new Set(rows.courts.people.map((p) => p.id));
    for (const stay of rows.housing.stays) expect(caseIds.has(stay.caseId!) && people.has(stay.personId)).toBe(true);
    for (const e of rows.counseling.enrollments) {
      expect(people.has(e.personId)).toBe(true);
      if (e.mandateId) expect(mandateIds.has(e.mandateId)).toBe(true);
    }
    for (const v of rows.courts.violations) if (v.probationReportId) expect(reportIds.has(v.probationReportId)).toBe(true);
    for (const s of rows.probation.supervisions) expect(caseIds.has(s.caseId)).toBe(true);
    expect(new Set(rows.courts.cases.map((c) => c.docketNumber)).size).toBe(200);
  });

  it('names the respondent (and often the victim) of an earlier case again in follow-up cases, writing each person once', () => {
    const rows = rowsFor(1, Array.from({ length: 400 }, (_, i) => i));
    const ids = rows.courts.people.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const people = new Set(ids);
    for (const party of rows.courts.parties) expect(people.has(party.personId)).toBe(true);
    const casesOf = new Map<string, number>();
    for (const party of rows.courts.parties) if (party.role === 'DEFENDANT' || party.role === 'RESPONDENT') casesOf.set(party.personId, (casesOf.get(party.personId) ?? 0) + 1);
    expect([...casesOf.values()].filter((n) => n > 1).length).toBeGreaterThan(10);
    // At most one open shelter stay per person (the database enforces it too).
    const open = rows.housing.stays.filter((s) => s.exitedDate === null).map((s) => s.personId);
    expect(new Set(open).size).toBe(open.length);
    // A disposition date belongs to a closed or dismissed case, on or after its filing.
    for (const c of rows.courts.cases) if (c.dispositionDate) expect(c.dispositionDate >= c.filedDate && c.status !== 'OPEN').toBe(true);
  });

  it('gives every record its own id, even where two cases\u2019 random streams overlap', () => {
    // mulberry32 streams are stretches of one 2^32 cycle: with the default seed, the streams of
    // these pairs of cases overlap, and ids drawn from them collided (a duplicate key at seeding).
    const ids = (index: number) => {
      const rows = rowsFor(DEFAULT_SEED, [index]);
      return Object.entries(rows).flatMap(([, tables]) => Object.entries(tables as Record<string, { id: string }[]>)
        .filter(([name]) => name !== 'people').flatMap(([, list]) => list.map((r) => r.id)));
    };
    for (const [a, b] of [[476, 3466], [2922, 5912], [819, 6461]]) {
      const mine = new Set(ids(a));
      expect(ids(b).filter((id) => mine.has(id))).toEqual([]);
    }
  });

  it('lays every recorded fact on or before its anchor date, in order', () => {
    const rows = rowsFor(3, Array.from({ length: 300 }, (_, i) => i));
    const anchor = '2026-10-31';
    for (const s of rows.counseling.sessions) expect(s.sessionDate <= anchor).toBe(true);
    for (const t of rows.probation.drugTests) expect(t.collectedDate <= anchor).toBe(true);
    for (const s of rows.housing.stays) if (s.exitedDate) expect(s.exitedDate >= s.admittedDate).toBe(true);
    for (const o of rows.courts.orders) if (o.status === 'ACTIVE') expect(o.expiresDate! >= anchor).toBe(true);
  });

  it('makes case 0 the demo case, with every agency’s records', () => {
    const rows = rowsFor(99, [0]);
    expect(rows.courts.cases[0].docketNumber).toBe('DV-2026-000001');
    expect(rows.housing.stays).toHaveLength(1);
    expect(rows.counseling.enrollments.length).toBeGreaterThanOrEqual(3);
    expect(rows.probation.violationReports).toHaveLength(1);
    expect(rows.courts.sanctions).toHaveLength(1);
  });
});
