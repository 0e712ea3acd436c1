/**
 * The owner's own staff under the role policies (schema/roles): deny by default, writes refused
 * before their input is looked at, shelter staff limited to the shelters they are assigned to, and
 * the access log — sensitive reads and every write, one chained append-only insert per request,
 * fail closed — which the owner's reviewing roles can read per person.
 */
import { AGENCIES } from '../lib/config';
import { verifyChain } from '../lib/policy/audit';
import { TestStack, startTestStack } from './support/stack';
import { CASEWORKER, CLERK, JUDGE, SHELTER_STAFF, Who } from './support/tokens';

let stack: TestStack;
const ANALYST: Who = { agency: 'courts', role: 'analyst', purpose: 'research' };
const OPEN_CASE = 'mutation($input: OpenCaseInput!) { openCase(input: $input) { id } }';
const INVALID_CASE = { docketNumber: '', caseType: 'CIVIL_PROTECTION_ORDER', courtName: '', filedDate: '2026-01-01', parties: [] };

beforeAll(async () => {
  stack = await startTestStack({ cases: 12 });
});

afterAll(async () => {
  await stack?.stop();
});

const accessRows = (agency: (typeof AGENCIES)[number], requestId: string) =>
  stack.databases[agency].query(
    `SELECT caller_role AS role, purpose, person_id AS "personId", coordinates, agreement_id AS "grant", outcome, reason
       FROM access_log WHERE request_id = $1 ORDER BY seq`,
    [requestId],
  );

describe('writes by the owner agency’s own staff', () => {
  it.each([
    ['the gateway', () => stack.gatewayUrl],
    ['the courts subgraph', () => stack.subgraphUrls.courts],
  ])('refuses a role the policy does not let write before validating its input, through %s', async (_where, url) => {
    const [{ n: casesBefore }] = await stack.databases.courts.query('SELECT count(*)::int AS n FROM court_case');
    const analyst = await stack.gql(OPEN_CASE, { input: INVALID_CASE }, { url: url(), as: ANALYST });
    expect(analyst.errors).toHaveLength(1);
    expect(analyst.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Mutation.openCase', reason: 'ROLE_NOT_PERMITTED' });
    expect(JSON.stringify(analyst.errors)).not.toMatch(/docketNumber|parties|BAD_USER_INPUT/);
    // The clerk writes the court's record, but not for research.
    const clerkForResearch = await stack.gql(OPEN_CASE, { input: INVALID_CASE }, { url: url(), as: { ...CLERK, purpose: 'research' } });
    expect(clerkForResearch.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'PURPOSE_NOT_COVERED', grants: ['courts/court_clerk#2'] });
    // A role that may write gets the validation message.
    const clerk = await stack.gql(OPEN_CASE, { input: INVALID_CASE }, { url: url(), as: CLERK });
    expect(clerk.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const [{ n: casesAfter }] = await stack.databases.courts.query('SELECT count(*)::int AS n FROM court_case');
    expect(casesAfter).toBe(casesBefore);
    expect(await accessRows('courts', analyst.requestId!)).toEqual([
      { role: 'analyst', purpose: 'research', personId: null, coordinates: ['Mutation.openCase'], grant: null, outcome: 'DENIED', reason: 'ROLE_NOT_PERMITTED' },
    ]);
  });

  it('records every write with its outcome in the access log', async () => {
    const register = 'mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { id } }';
    const ok = await stack.gql(register, { input: { givenName: 'A', familyName: 'B' } }, { as: CLERK });
    expect(ok.errors).toBeUndefined();
    const bad = await stack.gql(register, { input: { givenName: '', familyName: 'B' } }, { as: CLERK });
    expect(bad.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
    const clerk = { role: 'court_clerk', purpose: 'case_management', personId: null, coordinates: ['Mutation.registerPerson'], grant: 'courts/court_clerk#2' };
    expect(await accessRows('courts', ok.requestId!)).toEqual([{ ...clerk, outcome: 'WRITTEN', reason: null }]);
    expect(await accessRows('courts', bad.requestId!)).toEqual([{ ...clerk, outcome: 'WRITE_FAILED', reason: 'BAD_USER_INPUT' }]);
  });
});

describe('reads by the owner agency’s own staff', () => {
  const STAY = 'query($id: ID!) { shelterStay(id: $id) { id admittedDate shelter { name address } } }';
  let assigned: { id: string; personId: string };
  let other: { id: string };
  /** The id of the shelter staff's read (answered in X-Request-Id), which the review must find. */
  let staffMineRequestId = '';

  beforeAll(async () => {
    const stays: { id: string; shelterId: string; personId: string }[] = await stack.databases.housing.query(
      'SELECT id, shelter_id AS "shelterId", person_id AS "personId" FROM shelter_stay ORDER BY id');
    assigned = stays[0];
    other = stays.find((s) => s.shelterId !== stays[0].shelterId)!;
    expect(other).toBeDefined();
    await stack.databases.housing.query(
      'INSERT INTO shelter_staff_assignment (id, staff_subject, shelter_id) VALUES (gen_random_uuid(), $1, $2)', ['housing-shelter_staff-test', stays[0].shelterId]);
  });

  it('shows shelter staff the stays and shelter of the shelters they are assigned to, and no other', async () => {
    const housing = stack.subgraphUrls.housing;
    const mine = await stack.gql(STAY, { id: assigned.id }, { url: housing, as: SHELTER_STAFF });
    expect(mine.errors).toBeUndefined();
    staffMineRequestId = mine.requestId!;
    expect(mine.data.shelterStay.shelter.address).toEqual(expect.any(String));
    const theirs = await stack.gql(STAY, { id: other.id }, { url: housing, as: SHELTER_STAFF });
    expect(theirs.data.shelterStay).toEqual({ id: other.id, admittedDate: null, shelter: null });
    expect(new Set(theirs.errors!.map((e) => e.extensions?.reason))).toEqual(new Set(['RECORD_NOT_ASSIGNED']));
    // The caseworker sees the stay, never where it is.
    const caseworker = await stack.gql(STAY, { id: assigned.id }, { url: housing, as: CASEWORKER });
    expect(caseworker.data.shelterStay.admittedDate).toEqual(expect.any(String));
    expect(caseworker.data.shelterStay.shelter).toBeNull();
    expect(caseworker.errors!.map((e) => [e.extensions?.coordinate, e.extensions?.reason])).toEqual([['ShelterStay.shelter', 'ROLE_NOT_PERMITTED']]);
    // The read is logged, about the person housed.
    const logged = await accessRows('housing', mine.requestId!);
    const row = (personId: string | null, grant: string, coordinates: string[]) =>
      ({ role: 'shelter_staff', purpose: 'victim_services', personId, coordinates, grant, outcome: 'READ', reason: null });
    expect(logged).toHaveLength(3);
    expect(logged).toContainEqual(row(null, 'housing/shelter_staff#2', ['Query.shelterStay']));
    expect(logged).toContainEqual(row(assigned.personId, 'housing/shelter_staff#2', ['ShelterStay.id']));
    expect(logged).toContainEqual(row(assigned.personId, 'housing/shelter_staff#1', ['Shelter.address', 'Shelter.name', 'ShelterStay.admittedDate', 'ShelterStay.shelter']));
  });

  it('stops showing a shelter the moment the assignment ends', async () => {
    // Assignments are administered by housing outside the service (its role may not delete rows).
    await stack.asOwner('housing', (db) => db.query("DELETE FROM shelter_staff_assignment WHERE staff_subject = 'housing-shelter_staff-test'"));
    const after = await stack.gql(STAY, { id: assigned.id }, { url: stack.subgraphUrls.housing, as: SHELTER_STAFF });
    expect(after.data.shelterStay.shelter).toBeNull();
    expect(after.errors?.[0].extensions?.reason).toBe('RECORD_NOT_ASSIGNED');
  });

  it('gives analysts no row-level records: the outcomes service answers them with aggregates', async () => {
    const result = await stack.gql('{ cases(first: 2) { nodes { id caseType docketNumber parties { role person { givenName } } } } }', {}, { as: ANALYST });
    expect(result.data?.cases ?? null).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Query.cases', reason: 'ROLE_NOT_PERMITTED' });
  });

  it('logs sensitive reads only, and lets the reviewing role read who accessed a person’s records', async () => {
    const plain = await stack.gql('query($id: ID!) { case(id: $id) { docketNumber } }', { id: stack.demoCaseId }, { as: JUDGE });
    expect(plain.errors).toBeUndefined();
    expect(await accessRows('courts', plain.requestId!)).toEqual([]);
    const accesses = `{ _entities(representations: [{ __typename: "Person", id: "${assigned.personId}" }]) { ... on Person {
      housingAccesses(from: "2020-01-01", to: "2099-12-31") { subject role purpose coordinates grant outcome requestId } } } }`;
    const review = await stack.gql(accesses, {}, { url: stack.subgraphUrls.housing, as: CASEWORKER });
    expect(review.errors).toBeUndefined();
    expect(review.data._entities[0].housingAccesses).toContainEqual(expect.objectContaining({
      subject: 'housing-shelter_staff-test', role: 'shelter_staff', grant: 'housing/shelter_staff#1', outcome: 'READ', requestId: staffMineRequestId,
    }));
    // Reading the accounting is itself an access.
    expect(new Set((await accessRows('housing', review.requestId!)).map((r: any) => r.outcome))).toEqual(new Set(['READ']));
    const staff = await stack.gql(accesses, {}, { url: stack.subgraphUrls.housing, as: SHELTER_STAFF });
    expect(staff.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Person.housingAccesses', reason: 'ROLE_NOT_PERMITTED' });
  });
});

describe('the access log', () => {
  it('is append-only in the database and its hash chain verifies', async () => {
    for (const agency of AGENCIES) {
      const db = stack.databases[agency];
      // The service's own role may not change it at all…
      await expect(db.query("UPDATE access_log SET outcome = 'READ'")).rejects.toThrow(/permission denied/);
      await expect(db.query('DELETE FROM access_log')).rejects.toThrow(/permission denied/);
      await expect(db.query('TRUNCATE access_log')).rejects.toThrow(/permission denied/);
      // …and even the owner is stopped by the guard trigger.
      await stack.asOwner(agency, async (owner) => {
        await expect(owner.query("UPDATE access_log SET outcome = 'READ'")).rejects.toThrow(/append-only/);
        await expect(owner.query('DELETE FROM access_log')).rejects.toThrow(/append-only/);
        await expect(owner.query('TRUNCATE access_log')).rejects.toThrow(/append-only/);
      });
      expect(await verifyChain(db, 'access_log')).toMatchObject({ ok: true });
    }
    expect((await verifyChain(stack.databases.housing, 'access_log')).rows).toBeGreaterThan(0);
    await stack.asOwner('courts', async (db) => {
      await db.query('ALTER TABLE access_log DISABLE TRIGGER access_log_no_change');
      try {
        await db.query("UPDATE access_log SET caller_role = 'judge' WHERE seq = 1");
        expect(await verifyChain(db, 'access_log')).toMatchObject({ ok: false, firstBrokenSeq: '1' });
      } finally {
        await db.query('ALTER TABLE access_log ENABLE TRIGGER access_log_no_change');
      }
    });
  });

  it('withholds the response when it cannot be written (fail closed)', async () => {
    await stack.asOwner('housing', (db) => db.query('ALTER TABLE access_log RENAME TO access_log_away'));
    try {
      const result = await stack.gql('{ shelters { id capacity } }', {}, { url: stack.subgraphUrls.housing, as: CASEWORKER });
      expect(result.data).toBeNull();
      expect(result.errors?.[0].extensions?.code).toBe('AUDIT_UNAVAILABLE');
    } finally {
      await stack.asOwner('housing', (db) => db.query('ALTER TABLE access_log_away RENAME TO access_log'));
    }
    const again = await stack.gql('{ shelters { id capacity } }', {}, { url: stack.subgraphUrls.housing, as: CASEWORKER });
    expect(again.data.shelters.length).toBeGreaterThan(0);
  });
});
