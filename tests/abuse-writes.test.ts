/**
 * Abuse suite, writes: retried and concurrent mutations (Idempotency-Key), two writers racing for
 * one invariant (unique constraints), and inputs that are too long, too many or carry NUL bytes.
 * Each refusal is checked to write nothing, by counting rows.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AGENCIES, AgencyName, SERVICES, ServiceName } from '../lib/config';
import { startGateway } from '../gateway/gateway';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadVerificationKeys } from '../lib/auth/keys';
import { TestStack, postGraphQL, startTestStack } from './support/stack';
import { CASEWORKER, CLERK, COUNSELOR, PROBATION_OFFICER, PROBATION_SUPERVISOR, SHELTER_STAFF, Who, authHeader } from './support/tokens';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ cases: 1 });
});

afterAll(async () => {
  await stack?.stop();
});

/** Row counts of every table of every agency except the disclosure log. */
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const agency of AGENCIES) {
    const db = stack.databases[agency as AgencyName];
    for (const metadata of db.entityMetadatas) {
      // The logs record refused and replayed writes too (tests/role-policy.test.ts checks them); data tables only here.
      if (metadata.tableName === 'disclosure_log' || metadata.tableName === 'access_log') continue;
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM "${metadata.tableName}"`);
      counts[`${agency}.${metadata.tableName}`] = n;
    }
  }
  return counts;
}

/** What changed between two row counts, e.g. { 'courts.person': 1 }. */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).filter((k) => after[k] !== before[k]).map((k) => [k, after[k] - before[k]]));
}

function withKey(key: string, as: Who = CLERK, url?: string) {
  return { as, url, headers: { 'idempotency-key': key } };
}

const REGISTER = 'mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { id givenName familyName dateOfBirth } }';
const SCHEDULE = `mutation($input: ScheduleHearingInput!) {
  scheduleHearing(input: $input) { id hearingType scheduledAt courtroom } }`;

async function newPersonId(): Promise<string> {
  const result = await stack.gql(REGISTER, { input: { givenName: 'Idem', familyName: 'Potent' } });
  expect(result.errors).toBeUndefined();
  return result.data.registerPerson.id;
}

async function shelterId(): Promise<string> {
  const [{ id }] = await stack.databases.housing.query('SELECT id FROM shelter ORDER BY name LIMIT 1');
  return id;
}

function openCaseInput(docketNumber: string, givenName = 'Nul') {
  return {
    docketNumber,
    caseType: 'CRIMINAL_DOMESTIC_VIOLENCE',
    courtName: 'Harbor City Integrated DV Court',
    filedDate: '2026-09-01',
    parties: [
      { newPerson: { givenName, familyName: 'Victim' }, role: 'VICTIM' },
      { newPerson: { givenName: 'Test', familyName: 'Defendant' }, role: 'DEFENDANT' },
    ],
  };
}

/**
 * Runs `writers` so that they really race: a SHARE lock on `table` lets each one read (its checks
 * pass) but holds its insert or update until every writer waits there (real PostgreSQL; the
 * embedded database runs transactions one after another, so there the checks decide).
 */
async function race<T>(db: DataSource, table: string, writers: (() => Promise<T>)[]): Promise<T[]> {
  const lock = db.createQueryRunner();
  await lock.connect();
  await lock.startTransaction();
  await lock.query(`LOCK TABLE ${table} IN SHARE MODE`);
  const pending = writers.map((w) => w());
  for (let i = 0; i < (stack.embedded ? 2 : 200); i++) {
    const [{ n }] = await lock.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = '${table}'::regclass AND NOT granted`);
    if (n >= writers.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await lock.commitTransaction();
  await lock.release();
  return Promise.all(pending);
}

const OPEN_CASE = 'mutation($input: OpenCaseInput!) { openCase(input: $input) { id docketNumber filedDate } }';

describe('idempotent writes', () => {
  it('answers a retry with the same key with the first answer and writes once (Date and DateTime round-trip)', async () => {
    const caseId = stack.demoCaseId!;
    const key = randomUUID();
    const input = { caseId, hearingType: 'COMPLIANCE_REVIEW', scheduledAt: '2026-12-01T09:30:00.000Z', courtroom: '4B' };
    const before = await rowCounts();
    const first = await stack.gql(SCHEDULE, { input }, withKey(key));
    expect(first.errors).toBeUndefined();
    const afterFirst = await rowCounts();
    expect(delta(before, afterFirst)).toEqual({ 'courts.hearing': 1, 'courts.idempotency_record': 1 });
    const retry = await stack.gql(SCHEDULE, { input }, withKey(key));
    expect(retry).toEqual(first);
    expect(await rowCounts()).toEqual(afterFirst);

    // Without a key, the same input is a second hearing: the key is what makes a write idempotent.
    const unkeyed = await stack.gql(SCHEDULE, { input });
    expect(unkeyed.data.scheduleHearing.id).not.toBe(first.data.scheduleHearing.id);
  });

  it('replays a write with nested rows (openCase with its parties) through the gateway, same answer', async () => {
    const key = `case-${randomUUID()}`;
    const input = openCaseInput('DV-2026-910001');
    const query = 'mutation($input: OpenCaseInput!) { openCase(input: $input) { id docketNumber filedDate parties { role person { id givenName } } } }';
    const before = await rowCounts();
    const first = await stack.gql(query, { input }, withKey(key));
    expect(first.errors).toBeUndefined();
    const afterFirst = await rowCounts();
    expect(delta(before, afterFirst)).toEqual({ 'courts.court_case': 1, 'courts.person': 2, 'courts.case_party': 2, 'courts.idempotency_record': 1 });
    // The key in the draft's structured-field form ("...") names the same key.
    const retry = await stack.gql(query, { input }, { headers: { 'idempotency-key': `"${key}"` } });
    expect(retry).toEqual(first);
    expect(await rowCounts()).toEqual(afterFirst);
  });

  it('refuses the same key with a different input (IDEMPOTENCY_KEY_REUSED) and writes nothing', async () => {
    const key = randomUUID();
    const first = await stack.gql(REGISTER, { input: { givenName: 'Ada', familyName: 'One' } }, withKey(key));
    expect(first.errors).toBeUndefined();
    const before = await rowCounts();
    const other = await stack.gql(REGISTER, { input: { givenName: 'Ada', familyName: 'Two' } }, withKey(key));
    expect(other.data).toEqual({ registerPerson: null });
    expect(other.errors).toHaveLength(1);
    expect(other.errors![0].extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' });
    expect(other.errors![0].message).toMatch(/different mutation or different arguments; nothing was written/);
    // The same key on another mutation at the same position is a reuse too.
    const otherMutation = await stack.gql('mutation($input: ScheduleHearingInput!) { registerPerson: scheduleHearing(input: $input) { id } }',
      { input: { caseId: stack.demoCaseId, hearingType: 'COMPLIANCE_REVIEW', scheduledAt: '2026-12-01T09:30:00Z' } }, withKey(key));
    expect(otherMutation.errors![0].extensions!.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await rowCounts()).toEqual(before);
  });

  it('scopes a key to the caller: another subject with the same key writes its own row and never sees the first answer', async () => {
    const key = randomUUID();
    const input = { givenName: 'Scoped', familyName: 'Key' };
    const mine = await stack.gql(REGISTER, { input }, withKey(key));
    const before = await rowCounts();
    const theirs = await stack.gql(REGISTER, { input }, withKey(key, { ...CLERK, subject: 'another-clerk' }));
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data.registerPerson.id).not.toBe(mine.data.registerPerson.id);
    expect(delta(before, await rowCounts())).toEqual({ 'courts.person': 1, 'courts.idempotency_record': 1 });
  });

  it('keys each mutation of one request by its response key: two aliases under one header write twice, replay twice', async () => {
    const key = randomUUID();
    const query = `mutation($a: RegisterPersonInput!, $b: RegisterPersonInput!) {
      first: registerPerson(input: $a) { id givenName } second: registerPerson(input: $b) { id givenName } }`;
    const variables = { a: { givenName: 'Alias', familyName: 'A' }, b: { givenName: 'Alias', familyName: 'A' } };
    const before = await rowCounts();
    const result = await stack.gql(query, variables, withKey(key));
    expect(result.errors).toBeUndefined();
    expect(result.data.first.id).not.toBe(result.data.second.id);
    const afterFirst = await rowCounts();
    expect(delta(before, afterFirst)).toEqual({ 'courts.person': 2, 'courts.idempotency_record': 2 });
    expect(await stack.gql(query, variables, withKey(key))).toEqual(result);
    expect(await rowCounts()).toEqual(afterFirst);
  });

  it('lets one of several concurrent requests with the same key write; the others wait and get the same answer', async () => {
    const key = randomUUID();
    const input = { givenName: 'Concurrent', familyName: 'Same-Key' };
    const before = await rowCounts();
    // All four pass the access rules and wait at the claim; one claims, the others wait on its key.
    const results = await race(stack.databases.courts, 'idempotency_record',
      [0, 1, 2, 3].map((i) => () => stack.gql(REGISTER, { input }, withKey(key, CLERK, i % 2 ? stack.subgraphUrls.courts : undefined))));
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data.registerPerson.id)).size).toBe(1);
    expect(delta(before, await rowCounts())).toEqual({ 'courts.person': 1, 'courts.idempotency_record': 1 });
  });

  it('keeps nothing of a refused write: a retry with the same key after a bad input runs the corrected write', async () => {
    const key = randomUUID();
    const before = await rowCounts();
    const bad = await stack.gql(REGISTER, { input: { givenName: ' ', familyName: 'Blank' } }, withKey(key));
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.givenName' });
    expect(await rowCounts()).toEqual(before);
    const good = await stack.gql(REGISTER, { input: { givenName: 'Now', familyName: 'Filled' } }, withKey(key));
    expect(good.errors).toBeUndefined();
  });

  it('refuses a malformed key with 400 BAD_USER_INPUT at the gateway and at a subgraph, writing nothing', async () => {
    const before = await rowCounts();
    for (const url of [stack.gatewayUrl, stack.subgraphUrls.courts]) {
      for (const key of ['x'.repeat(256), 'has space', 'semi;colon', 'a\tb', '""']) {
        const result = await stack.gql(REGISTER, { input: { givenName: 'Bad', familyName: 'Key' } }, withKey(key, CLERK, url));
        expect(result.status).toBe(400);
        expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key' });
      }
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('tells a caller refused the mutation nothing about keys, and stores no key for it', async () => {
    const key = randomUUID();
    await stack.gql(REGISTER, { input: { givenName: 'Owner', familyName: 'Only' } }, withKey(key));
    const before = await rowCounts();
    const refused = await stack.gql(REGISTER, { input: { givenName: 'Owner', familyName: 'Only' } }, withKey(key, PROBATION_OFFICER));
    expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(JSON.stringify(refused)).not.toMatch(/idempotency/i);
    expect(await rowCounts()).toEqual(before);
  });

  it('lets a key be used again once its retention has passed', async () => {
    const key = randomUUID();
    const first = await stack.gql(REGISTER, { input: { givenName: 'Old', familyName: 'Key' } }, withKey(key));
    await stack.databases.courts.query(`UPDATE idempotency_record SET created_at = now() - interval '25 hours' WHERE idempotency_key = $1`, [key]);
    const again = await stack.gql(REGISTER, { input: { givenName: 'New', familyName: 'Use' } }, withKey(key));
    expect(again.errors).toBeUndefined();
    expect(again.data.registerPerson.id).not.toBe(first.data.registerPerson.id);
  });
});

describe('unique constraints settle races between writers', () => {
  it('admits a person to one shelter stay when two admissions race; the other gets BAD_USER_INPUT on personId', async () => {
    const personId = await newPersonId();
    const shelter = await shelterId();
    const input = { personId, shelterId: shelter, admittedDate: '2026-09-01' };
    const query = 'mutation($input: AdmitToShelterInput!) { admitToShelter(input: $input) { id } }';
    const before = await rowCounts();
    const results = await race(stack.databases.housing, 'shelter_stay', [0, 1, 2].map(() => () => stack.gql(query, { input }, { as: SHELTER_STAFF, url: stack.subgraphUrls.housing })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) {
      expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.personId' });
      expect(r.errors![0].message).toContain('already has a current shelter stay');
    }
    expect(delta(before, await rowCounts())).toEqual({ 'housing.shelter_stay': 1 });
  });

  it('maps the open-stay index violation of a writer that passed the check to BAD_USER_INPUT on personId', async () => {
    const personId = await newPersonId();
    const shelter = await shelterId();
    // Another writer inserts an open stay and commits after our check ran and before our insert.
    const other = stack.databases.housing.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query(`INSERT INTO shelter_stay (id, person_id, shelter_id, admitted_date) VALUES ($1, $2, $3, '2026-08-01')`, [randomUUID(), personId, shelter]);
    const pending = stack.gql('mutation($input: AdmitToShelterInput!) { admitToShelter(input: $input) { id } }',
      { input: { personId, shelterId: shelter, admittedDate: '2026-09-01' } }, { as: SHELTER_STAFF });
    await new Promise((r) => setTimeout(r, 500));
    await other.commitTransaction();
    await other.release();
    const result = await pending;
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.personId' });
    const [{ n }] = await stack.databases.housing.query('SELECT count(*)::int AS n FROM shelter_stay WHERE person_id = $1', [personId]);
    expect(n).toBe(1);
  });

  it('refuses a second open stay or a second enrollment per mandate in the database itself', async () => {
    const personId = randomUUID();
    const shelter = await shelterId();
    const stay = `INSERT INTO shelter_stay (id, person_id, shelter_id, admitted_date) VALUES (gen_random_uuid(), $1, $2, '2026-08-01')`;
    await stack.databases.housing.query(stay, [personId, shelter]);
    await expect(stack.databases.housing.query(stay, [personId, shelter])).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'shelter_stay_one_open_per_person' } });
    const enrollment = `INSERT INTO program_enrollment (id, person_id, case_id, mandate_id, program_type, provider_name, referral_source, enrolled_date)
      VALUES (gen_random_uuid(), $1, $2, $3, 'BATTERER_INTERVENTION', 'P', 'COURT_MANDATE', '2026-09-01')`;
    const args = [personId, randomUUID(), randomUUID()];
    await stack.databases.counseling.query(enrollment, args);
    await expect(stack.databases.counseling.query(enrollment, args)).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'program_enrollment_one_per_mandate' } });
  });

  it('enrolls a person once per mandate when two enrollments race; the other gets BAD_USER_INPUT on mandateId', async () => {
    const mandateId = randomUUID();
    const personId = randomUUID();
    const input = {
      personId, caseId: randomUUID(), mandateId, programType: 'BATTERER_INTERVENTION', providerName: 'Turning Point BIP',
      referralSource: 'COURT_MANDATE', enrolledDate: '2026-09-15', requiredSessions: 26,
    };
    const query = 'mutation($input: EnrollInProgramInput!) { enrollInProgram(input: $input) { id } }';
    const before = await rowCounts();
    const results = await race(stack.databases.counseling, 'program_enrollment', [0, 1, 2].map(() => () => stack.gql(query, { input }, { as: COUNSELOR, url: stack.subgraphUrls.counseling })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) {
      expect(r.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.mandateId' });
    }
    expect(delta(before, await rowCounts())).toEqual({ 'counseling.program_enrollment': 1 });
  });

  it('opens one case per docket number when two openings race; the other gets BAD_USER_INPUT on docketNumber', async () => {
    const input = openCaseInput('DV-2026-920001');
    const before = await rowCounts();
    const results = await race(stack.databases.courts, 'court_case', [0, 1].map(() => () => stack.gql(OPEN_CASE, { input }, { url: stack.subgraphUrls.courts })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.find((r) => r.errors)!.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.docketNumber' });
    expect(delta(before, await rowCounts())).toEqual({ 'courts.court_case': 1, 'courts.person': 2, 'courts.case_party': 2 });
  });

  it('ends a shelter stay once when two exits race; the other gets BAD_USER_INPUT on stayId', async () => {
    const personId = await newPersonId();
    const admitted = await stack.gql('mutation($input: AdmitToShelterInput!) { admitToShelter(input: $input) { id } }',
      { input: { personId, shelterId: await shelterId(), admittedDate: '2026-09-01' } }, { as: SHELTER_STAFF });
    const stayId = admitted.data.admitToShelter.id;
    // Only the id: shelter staff read a stay's details only at the shelters they are assigned to.
    const query = 'mutation($input: ExitShelterInput!) { exitShelter(input: $input) { id } }';
    const destinations = ['PERMANENT_HOUSING', 'FAMILY_OR_FRIENDS'];
    const results = await race(stack.databases.housing, 'shelter_stay', destinations.map((exitDestination) => () =>
      stack.gql(query, { input: { stayId, exitedDate: '2026-10-01', exitDestination } }, { as: SHELTER_STAFF, url: stack.subgraphUrls.housing })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.find((r) => r.errors)!.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.stayId' });
    const [{ exit_destination }] = await stack.databases.housing.query('SELECT exit_destination FROM shelter_stay WHERE id = $1', [stayId]);
    expect(exit_destination).toBe(destinations[results.findIndex((r) => !r.errors)]);
  });

  it('the seed satisfies the constraints (it ran under them)', async () => {
    const [{ n }] = await stack.databases.housing.query('SELECT count(*)::int AS n FROM shelter_stay WHERE exited_date IS NULL');
    expect(n).toBeGreaterThan(0);
  });
});

describe('bad input is refused naming the field, before anything is read or written', () => {
  const NUL = 'Ev\u0000il';

  it('refuses a NUL byte in a nested mutation input with the field path', async () => {
    const before = await rowCounts();
    const input = openCaseInput('DV-2026-930001');
    input.parties.push({ newPerson: { givenName: NUL, familyName: 'X' }, role: 'VICTIM' });
    for (const url of [stack.gatewayUrl, stack.subgraphUrls.courts]) {
      const result = await stack.gql(OPEN_CASE, { input }, { url });
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.parties[2].newPerson.givenName' });
      expect(result.errors![0].message).toContain('input.parties[2].newPerson.givenName must not contain NUL characters');
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a NUL byte in a query argument (caseByDocketNumber, cases cursor) as BAD_USER_INPUT, not an internal error', async () => {
    const byDocket = await stack.gql('query($d: String!) { caseByDocketNumber(docketNumber: $d) { id } }', { d: `DV-2026-${NUL}` });
    expect(byDocket.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'docketNumber' });
    const page = await stack.gql('query($after: String) { cases(first: 1, after: $after) { nodes { id } } }', { after: NUL });
    expect(page.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const direct = await stack.gql('{ caseByDocketNumber(docketNumber: "DV-\\u0000") { id } }', {}, { url: stack.subgraphUrls.courts });
    expect(direct.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'docketNumber' });
  });

  it('refuses a string over the global cap (10,000 characters) where no field rule is stricter', async () => {
    const long = 'x'.repeat(10_001);
    const result = await stack.gql('query($d: String!) { caseByDocketNumber(docketNumber: $d) { id } }', { d: long });
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'docketNumber' });
    expect(result.errors![0].message).toContain('must be at most 10000 characters');
    const before = await rowCounts();
    const report = await stack.gql('mutation($input: FileViolationReportInput!) { fileViolationReport(input: $input) { id } }',
      { input: { supervisionId: randomUUID(), reportDate: '2026-10-02', violationType: 'POSITIVE_DRUG_TEST', description: long } },
      { as: PROBATION_OFFICER });
    expect(report.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.description' });
    expect(report.errors![0].message).toContain('input.description must be at most 10000 characters');
    expect(await rowCounts()).toEqual(before);
  });

  it('allows a clinical note up to its own maximum (20,000) and refuses one over it', async () => {
    const enrollmentId = randomUUID();
    const note = (body: string) => stack.gql('mutation($input: AddClinicalNoteInput!) { addClinicalNote(input: $input) { id } }',
      { input: { enrollmentId, author: 'Dr. Test', body } }, { as: COUNSELOR });
    const within = await note('y'.repeat(15_000));
    // Past the argument bounds, the note's own checks run: no such enrollment.
    expect(within.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.enrollmentId' });
    const over = await note('y'.repeat(20_001));
    expect(over.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.body' });
  });

  it('refuses a list input of more than 100 items naming the list, writing nothing', async () => {
    const before = await rowCounts();
    const input = openCaseInput('DV-2026-940001');
    for (let i = 0; i < 100; i++) input.parties.push({ newPerson: { givenName: `P${i}`, familyName: 'Many' }, role: 'VICTIM' });
    const result = await stack.gql(OPEN_CASE, { input });
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.parties' });
    expect(result.errors![0].message).toContain('input.parties must have at most 100 items');
    const supervision = await stack.gql('mutation($input: StartSupervisionInput!) { startSupervision(input: $input) { id } }', {
      input: { personId: randomUUID(), caseId: randomUUID(), officerName: 'PO', level: 'HIGH', conditions: Array.from({ length: 50_000 }, () => 'c'),
        startDate: '2026-09-12', endDate: '2027-09-12' },
    }, { as: PROBATION_SUPERVISOR, url: stack.subgraphUrls.probation });
    expect(supervision.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.conditions' });
    expect(await rowCounts()).toEqual(before);
  });

  it('checks arguments only after the access decision: a refused caller gets FORBIDDEN, not the input problem', async () => {
    const result = await stack.gql(OPEN_CASE, { input: { ...openCaseInput('DV-2026-950001'), courtName: NUL } }, { as: CASEWORKER });
    expect(result.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(JSON.stringify(result)).not.toContain('NUL');
  });
});

describe('the gateway never retries a mutation', () => {
  it('sends one client request to the subgraph exactly once, even when the subgraph is slower than the timeout', async () => {
    const received: { body: any; headers: http.IncomingHttpHeaders }[] = [];
    const timers = new Set<NodeJS.Timeout>();
    const courts = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        received.push({ body: JSON.parse(text), headers: req.headers });
        const timer = setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: { registerPerson: { id: 'late' } } }));
        }, 1_500);
        timers.add(timer);
      });
    });
    await new Promise<void>((resolve) => courts.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(courts.address() as AddressInfo).port}/graphql`;
    const subgraphUrls = Object.fromEntries(SERVICES.map((a) => [a, url])) as Record<ServiceName, string>;
    const gateway = await startGateway({ subgraphUrls, host: '127.0.0.1', port: 0, timeoutMs: 300, verify: createVerifier(authSettings(await loadVerificationKeys())) });
    try {
      const result = await postGraphQL(gateway.url, 'mutation { registerPerson(input: { givenName: "Slow", familyName: "Sub" }) { id } }', {},
        { ...(await authHeader(CLERK)), 'idempotency-key': 'retry-check-1' });
      expect(result.errors![0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'courts' });
      // Well past the subgraph's answer: still the one fetch.
      await new Promise((r) => setTimeout(r, 2_500));
      const mutations = received.filter((r) => /registerPerson/.test(r.body.query));
      expect(mutations).toHaveLength(1);
      expect(mutations[0].headers['idempotency-key']).toBe('retry-check-1');
    } finally {
      for (const t of timers) clearTimeout(t);
      await gateway.close();
      courts.closeAllConnections();
      await new Promise((r) => courts.close(r));
    }
  });
});
