/**
 * A refusal must not reveal that a record exists. The court asks housing for a person's housing
 * status (released only with the victim's consent, MOU-2026-HSG-01): for a person housing never
 * knew, one it knows without a consent, one whose consent was revoked and one whose consent
 * expired, the answers are the same field by field — message, extensions, path — at the gateway
 * and from the housing subgraph directly. Only housing's own disclosure log says which case it was.
 */
import { randomUUID } from 'node:crypto';
import { TestStack, startTestStack } from './support/stack';
import { CASEWORKER, CLERK, COUNSELOR, JUDGE, PROBATION_OFFICER } from './support/tokens';

let stack: TestStack;
const people: Record<'neverKnown' | 'noConsent' | 'revoked' | 'expired', string> = {} as never;

beforeAll(async () => {
  stack = await startTestStack({ cases: 12 });
  const housing = stack.databases.housing;
  // Never known to housing: a person only the court has.
  const registered = await stack.gql('mutation { registerPerson(input: { givenName: "N", familyName: "K" }) { id } }', {}, { as: CLERK });
  people.neverKnown = registered.data.registerPerson.id;
  const unconsented: { id: string }[] = await housing.query(
    // (Consents to the court: a research consent to the outcomes service does not release the status.)
    `SELECT DISTINCT s.person_id AS id FROM shelter_stay s WHERE NOT EXISTS (SELECT 1 FROM consent c WHERE c.person_id = s.person_id AND c.recipient_agency = 'courts') ORDER BY 1 LIMIT 2`);
  const consented: { id: string; consentId: string }[] = await housing.query(
    "SELECT person_id AS id, id AS \"consentId\" FROM consent WHERE recipient_agency = 'courts' AND revoked_at IS NULL ORDER BY id LIMIT 1");
  expect(unconsented).toHaveLength(2);
  expect(consented).toHaveLength(1);
  people.noConsent = unconsented[0].id;
  people.revoked = consented[0].id;
  people.expired = unconsented[1].id;
  const revoked = await stack.gql('mutation($input: RevokeHousingConsentInput!) { revokeHousingConsent(input: $input) { id } }',
    { input: { consentId: consented[0].consentId } }, { as: CASEWORKER });
  expect(revoked.errors).toBeUndefined();
  const expired = await stack.gql('mutation($input: RecordHousingConsentInput!) { recordHousingConsent(input: $input) { id } }', {
    input: { personId: people.expired, discloser: 'Shelter', recipientAgency: 'COURTS', purposes: ['JUDICIAL_REVIEW'],
      data: ['Person.housingStatus'], signedBy: 'V', signedDate: '2025-01-10', expiresOn: '2025-07-10' },
  }, { as: CASEWORKER });
  expect(expired.errors).toBeUndefined();
});

afterAll(async () => {
  await stack?.stop();
});

/** The answer with the person's id replaced, so that only what the refusal says is compared. */
function normalized(answer: unknown, personId: string): string {
  return JSON.stringify(answer).replaceAll(personId, '<person>');
}

const AT_GATEWAY = 'query($id: ID!) { person(id: $id) { id housingStatus } }';
const DIRECT = (id: string) => `{ _entities(representations: [{ __typename: "Person", id: "${id}" }]) { ... on Person { id housingStatus } } }`;

/** The request id each answer came with (X-Request-Id), by where it was asked and whom about. */
const requestIds = new Map<string, string>();
const remember = (key: string) => <T extends { requestId?: string }>(result: T) => (requestIds.set(key, result.requestId!), result);

describe.each([
  ['at the gateway', (id: string) => stack.gql(AT_GATEWAY, { id }, { as: JUDGE }).then(remember(`gateway:${id}`))],
  ['from the housing subgraph directly', (id: string) => stack.gql(DIRECT(id), {}, { url: stack.subgraphUrls.housing, as: JUDGE }).then(remember(`direct:${id}`))],
])('a withheld housing status, %s', (where, ask) => {
  it('is the same answer for a person never known, known without consent, with a revoked and with an expired consent', async () => {
    const answers = {} as Record<keyof typeof people, string>;
    for (const [which, id] of Object.entries(people) as [keyof typeof people, string][]) {
      const result = await ask(id);
      expect(result.status).toBe(200);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Person.housingStatus', reason: 'RECORD_WITHHELD' });
      const { status: _status, ...answer } = result;
      answers[which] = normalized(answer, id);
    }
    // Field by field: data, message, extensions, path.
    expect(answers.noConsent).toBe(answers.neverKnown);
    expect(answers.revoked).toBe(answers.neverKnown);
    expect(answers.expired).toBe(answers.neverKnown);
    expect(answers.neverKnown).not.toMatch(/CONSENT|revoked|expired|none is on file|MOU-/i);
  });

  it('keeps the precise reason in housing’s own log', async () => {
    const prefix = where === 'at the gateway' ? 'gateway:' : 'direct:';
    const reasons: Record<string, string> = {};
    for (const [which, id] of Object.entries(people)) {
      const rows: { reason: string }[] = await stack.databases.housing.query(
        "SELECT reason FROM disclosure_log WHERE request_id = $1 AND outcome = 'DENIED'", [requestIds.get(`${prefix}${id}`)]);
      reasons[which] = rows.map((r) => r.reason).join(',');
    }
    expect(reasons).toEqual({ neverKnown: 'CONSENT_MISSING', noConsent: 'CONSENT_MISSING', revoked: 'CONSENT_REVOKED', expired: 'CONSENT_EXPIRED' });
  });
});

describe('a substance-use treatment record (42 CFR Part 2) asked for by probation', () => {
  it('is answered alike whether it does not exist, has no consent, or had one that expired or was revoked', async () => {
    // Three court-mandated substance-use treatment enrollments of three people without any consent.
    const [mandate]: { id: string; caseId: string }[] = await stack.databases.courts.query('SELECT id, case_id AS "caseId" FROM program_mandate ORDER BY id LIMIT 1');
    const records: { id: string; personId: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const personId = randomUUID();
      const enrolled = await stack.gql('mutation($input: EnrollInProgramInput!) { enrollInProgram(input: $input) { id } }', {
        input: { personId, caseId: mandate.caseId, mandateId: mandate.id, programType: 'SUBSTANCE_USE_TREATMENT', providerName: 'Clinic',
          referralSource: 'COURT_MANDATE', enrolledDate: '2026-02-01' },
      }, { as: COUNSELOR });
      expect(enrolled.errors).toBeUndefined();
      records.push({ id: enrolled.data.enrollInProgram.id, personId });
    }
    const [none, lapsed, withdrawn] = records;
    const consent = (personId: string, signedDate: string, expiresOn: string) =>
      stack.gql('mutation($input: RecordTreatmentConsentInput!) { recordTreatmentConsent(input: $input) { id } }', {
        input: { personId, discloser: 'Clinic', recipientAgency: 'PROBATION', purposes: ['COMPLIANCE_MONITORING'],
          data: ['ProgramEnrollment.*'], signedBy: 'P', signedDate, expiresOn },
      }, { as: COUNSELOR });
    expect((await consent(lapsed.personId, '2025-01-10', '2025-07-10')).errors).toBeUndefined();
    const given = await consent(withdrawn.personId, '2026-01-10', '2027-12-31');
    const revoked = await stack.gql('mutation($input: RevokeTreatmentConsentInput!) { revokeTreatmentConsent(input: $input) { id } }',
      { input: { consentId: given.data.recordTreatmentConsent.id } }, { as: COUNSELOR });
    expect(revoked.errors).toBeUndefined();
    const ask = (id: string) =>
      stack.gql('query($id: ID!) { programEnrollment(id: $id) { id programType status sessions { attendance } } }', { id },
        { url: stack.subgraphUrls.counseling, as: PROBATION_OFFICER });
    const answers = await Promise.all(
      [['nothing', '00000000-0000-4000-8000-000000000000'], ['none', none.id], ['lapsed', lapsed.id], ['withdrawn', withdrawn.id]].map(
        async ([which, id]) => [which, normalized(await ask(id), id)],
      ),
    );
    const [first] = answers;
    for (const answer of answers) expect(answer[1]).toBe(first[1]);
    expect(JSON.parse(first[1])).toEqual({ data: { programEnrollment: null }, status: 200 });
  });
});
