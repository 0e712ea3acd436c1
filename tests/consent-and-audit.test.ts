/**
 * Consent per person (VAWA for housing, 42 CFR Part 2 for treatment), the disclosure log (one row
 * per release or refusal group, written before data leaves, append-only, hash-chained, fail
 * closed), the owner's accounting of disclosures, and the all-or-nothing request header.
 */
import { AGENCIES } from '../lib/config';
import { verifyChain } from '../lib/policy/audit';
import { PART2_REDISCLOSURE_NOTICE } from '../subgraphs/counseling/policy';
import { TestStack, operation, startTestStack } from './support/stack';
import { CASEWORKER, CLERK, COUNSELOR, JUDGE, PROBATION_OFFICER } from './support/tokens';

let stack: TestStack;
let victimId: string;
let defendantId: string;

beforeAll(async () => {
  stack = await startTestStack({ cases: 3 });
  const parties: { personId: string; role: string }[] = await stack.databases.courts.query(
    'SELECT person_id AS "personId", role FROM case_party WHERE case_id = $1',
    [stack.demoCaseId],
  );
  victimId = parties.find((p) => p.role === 'VICTIM')!.personId;
  defendantId = parties.find((p) => p.role === 'DEFENDANT')!.personId;
});

afterAll(async () => {
  await stack?.stop();
});

/** The disclosure-log rows of one request at one agency. */
const rowsFor = (agency: (typeof AGENCIES)[number], requestId: string): Promise<any[]> =>
  stack.databases[agency].query(
    `SELECT person_id AS "personId", coordinates, agreement_id AS "agreementId", consent_id AS "consentId", outcome, reason,
            caller_agency AS "callerAgency", caller_role AS "callerRole", purpose, caller_subject AS "callerSubject"
       FROM disclosure_log WHERE request_id = $1 ORDER BY outcome DESC`,
    [requestId],
  );

const STATUS_QUERY = 'query($id: ID!) { case(id: $id) { id parties { role person { id housingStatus } } } }';

async function housingStatusForJudge() {
  const result = await stack.gql(STATUS_QUERY, { id: stack.demoCaseId }, { as: JUDGE });
  const byRole = Object.fromEntries(result.data.case.parties.map((p: any) => [p.role, p.person.housingStatus]));
  const reasons = (result.errors ?? []).map((e) => e.extensions?.reason);
  return { byRole, reasons, result };
}

async function housingConsentsOf(personId: string) {
  const result = await stack.gql(
    `{ _entities(representations: [{ __typename: "Person", id: "${personId}" }]) { ... on Person { housingConsents { id recipientAgency revoked expiresOn } } } }`,
    {},
    { url: stack.subgraphUrls.housing, as: CASEWORKER },
  );
  return result.data._entities[0].housingConsents as { id: string; recipientAgency: string; revoked: boolean }[];
}

describe('VAWA consent to housing disclosing status to the court', () => {
  it('releases a victim’s housing status only while their consent is in force', async () => {
    // The court is told only that the field is withheld for that record; housing's log keeps why.
    // The gateway's own request id (answered in X-Request-Id) names the request's rows in the log.
    const logged = async (asked: { result: { requestId?: string } }) =>
      (await stack.databases.housing.query(`SELECT reason FROM disclosure_log WHERE request_id = $1 AND outcome = 'DENIED' ORDER BY reason`, [asked.result.requestId])).map((r: any) => r.reason);
    const before = await housingStatusForJudge();
    expect(before.byRole).toEqual({ VICTIM: 'IN_SHELTER', DEFENDANT: null });
    expect(before.reasons).toEqual(['RECORD_WITHHELD']);
    expect(await logged(before)).toEqual(['CONSENT_MISSING']);

    // The victim revokes; it takes effect on the next request.
    const [consent] = await housingConsentsOf(victimId);
    const revoked = await stack.gql('mutation($input: RevokeHousingConsentInput!) { revokeHousingConsent(input: $input) { id revoked } }',
      { input: { consentId: consent.id } }, { as: CASEWORKER });
    expect(revoked.data.revokeHousingConsent).toEqual({ id: consent.id, revoked: true });
    const after = await housingStatusForJudge();
    expect(after.byRole).toEqual({ VICTIM: null, DEFENDANT: null });
    expect(after.reasons.sort()).toEqual(['RECORD_WITHHELD', 'RECORD_WITHHELD']);
    expect(await logged(after)).toEqual(['CONSENT_MISSING', 'CONSENT_REVOKED']);

    // A consent that has expired releases nothing either; a new one does.
    const record = (input: Record<string, unknown>) =>
      stack.gql('mutation($input: RecordHousingConsentInput!) { recordHousingConsent(input: $input) { id } }', {
        input: { discloser: 'Shelter program', recipientAgency: 'COURTS', purposes: ['JUDICIAL_REVIEW'], data: ['Person.housingStatus'], ...input },
      }, { as: CASEWORKER });
    expect((await record({ personId: defendantId, signedBy: 'D', signedDate: '2025-01-10', expiresOn: '2025-07-10' })).errors).toBeUndefined();
    expect((await record({ personId: victimId, signedBy: 'V', signedDate: '2026-11-01', expiresOn: '2027-05-01' })).errors).toBeUndefined();
    const renewed = await housingStatusForJudge();
    expect(renewed.byRole).toEqual({ VICTIM: 'IN_SHELTER', DEFENDANT: null });
    expect(renewed.reasons).toEqual(['RECORD_WITHHELD']);
    expect(await logged(renewed)).toEqual(['CONSENT_EXPIRED']);
  });

  it('refuses a consent that ends before it starts or names data housing does not have', async () => {
    const result = await stack.gql('mutation($input: RecordHousingConsentInput!) { recordHousingConsent(input: $input) { id } }', {
      input: { personId: victimId, discloser: 'Shelter', recipientAgency: 'COURTS', purposes: ['JUDICIAL_REVIEW'],
        data: ['Shelter.address', 'Person.salary'], signedBy: 'V', signedDate: '2026-11-01', expiresOn: '2026-10-01' },
    }, { as: CASEWORKER });
    const fields = result.errors?.[0].extensions?.problems.map((p: any) => p.field);
    expect(fields).toEqual(['input.data[1]', 'input.expiresOn']);
  });

  it('lets only housing record or revoke housing consents', async () => {
    const result = await stack.gql('mutation($input: RevokeHousingConsentInput!) { revokeHousingConsent(input: $input) { id } }',
      { input: { consentId: '00000000-0000-4000-8000-000000000000' } }, { as: JUDGE });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OWNER_ONLY' });
  });
});

describe('42 CFR Part 2: substance-use treatment records', () => {
  async function enrollmentsFor(who: typeof JUDGE, caseId = stack.demoCaseId) {
    const result = await stack.gql('query($id: ID!) { case(id: $id) { programEnrollments { id programType status } } }', { id: caseId }, { as: who });
    return result;
  }

  it('lists them for probation on the patient’s consent, with the redisclosure notice', async () => {
    const result = await enrollmentsFor(PROBATION_OFFICER);
    expect(result.data.case.programEnrollments.map((e: any) => e.programType).sort()).toEqual(['BATTERER_INTERVENTION', 'SUBSTANCE_USE_TREATMENT']);
    expect((result as any).extensions?.redisclosureNotices).toEqual([PART2_REDISCLOSURE_NOTICE]);
  });

  it('carries the notice in the data of each record that needs it, and only there', async () => {
    const result = await stack.gql('query($id: ID!) { case(id: $id) { programEnrollments { programType redisclosureNotice } } }', { id: stack.demoCaseId }, { as: PROBATION_OFFICER });
    expect(result.errors).toBeUndefined();
    const byType = Object.fromEntries(result.data.case.programEnrollments.map((e: any) => [e.programType, e.redisclosureNotice]));
    expect(byType).toEqual({ SUBSTANCE_USE_TREATMENT: PART2_REDISCLOSURE_NOTICE, BATTERER_INTERVENTION: null });
  });

  it('keeps serving gateway clients that do not select the notice: the gateway selects it for them, and answers only what they asked', async () => {
    const result = await enrollmentsFor(PROBATION_OFFICER);
    expect(result.errors).toBeUndefined();
    for (const enrollment of result.data.case.programEnrollments) expect(Object.keys(enrollment).sort()).toEqual(['id', 'programType', 'status']);
  });

  describe('at the subgraph, as any router sends it', () => {
    const ENROLLMENTS = (selection: string) =>
      `query($id: ID!${selection.includes('$notice') ? ', $notice: Boolean!' : ''}) { _entities(representations: [{ __typename: "Case", id: $id }]) { ... on Case { programEnrollments { ${selection} } } } }`;
    const ask = (selection: string, variables: Record<string, unknown> = {}) =>
      stack.gql(ENROLLMENTS(selection), { id: stack.demoCaseId, ...variables }, { url: stack.subgraphUrls.counseling, as: PROBATION_OFFICER });
    const sudOf = (result: any) => result.data._entities[0].programEnrollments.find((e: any) => e.id !== undefined && e.programType !== 'BATTERER_INTERVENTION');

    it('withholds a Part 2 record’s fields from a selection without its notice, saying which field to select', async () => {
      const result = await ask('id programType status sessions { id }');
      const [bi] = result.data._entities[0].programEnrollments.filter((e: any) => e.programType === 'BATTERER_INTERVENTION');
      expect(bi).toMatchObject({ programType: 'BATTERER_INTERVENTION', status: expect.any(String) });
      const sud = sudOf(result);
      expect(sud).toEqual({ id: expect.any(String), programType: null, status: null, sessions: null });
      const refusals = result.errors!.filter((e) => e.extensions?.reason === 'NOTICE_NOT_SELECTED');
      expect(refusals.map((e) => e.extensions?.coordinate).sort()).toEqual(['ProgramEnrollment.programType', 'ProgramEnrollment.sessions', 'ProgramEnrollment.status']);
      expect(refusals[0].message).toMatch(/select redisclosureNotice on the record/);
      expect(refusals[0].extensions).toMatchObject({ code: 'FORBIDDEN', agreements: ['MOU-2026-CNS-02'] });
      // Nothing of the Part 2 record but its id was released (and logged); the refusals are logged.
      const rows = await rowsFor('counseling', result.requestId!);
      expect(rows.filter((r) => r.agreementId === 'MOU-2026-CNS-02' && r.outcome === 'RELEASED').map((r) => r.coordinates)).toEqual([['ProgramEnrollment.id']]);
      expect(rows.find((r) => r.reason === 'NOTICE_NOT_SELECTED')).toMatchObject({ personId: defendantId, outcome: 'DENIED' });
    });

    it('counts the notice only where the executor will answer it (@include, fragments)', async () => {
      const skipped = await ask('id programType redisclosureNotice @include(if: $notice)', { notice: false });
      expect(sudOf(skipped).programType).toBeNull();
      expect(skipped.errors?.map((e) => e.extensions?.reason)).toEqual(['NOTICE_NOT_SELECTED']);
      const included = await ask('id programType redisclosureNotice @include(if: $notice)', { notice: true });
      expect(included.errors).toBeUndefined();
      expect(sudOf(included)).toMatchObject({ programType: 'SUBSTANCE_USE_TREATMENT', redisclosureNotice: PART2_REDISCLOSURE_NOTICE });
      const aliased = await ask('id programType ... on ProgramEnrollment { notice: redisclosureNotice } sessions { attendance }');
      expect(aliased.errors).toBeUndefined();
      expect(sudOf(aliased)).toMatchObject({ programType: 'SUBSTANCE_USE_TREATMENT', notice: PART2_REDISCLOSURE_NOTICE });
      expect(sudOf(aliased).sessions.length).toBeGreaterThan(0);
    });
  });

  it('does not reveal that they exist to anyone the agreements do not cover', async () => {
    const judge = await enrollmentsFor(JUDGE);
    expect(judge.errors).toBeUndefined();
    expect(judge.data.case.programEnrollments.map((e: any) => e.programType)).toEqual(['BATTERER_INTERVENTION']);
    expect((judge as any).extensions?.redisclosureNotices).toBeUndefined();
  });

  it('keeps a criminal-justice consent irrevocable until its date (42 CFR 2.35)', async () => {
    const consents = await stack.gql(
      `{ _entities(representations: [{ __typename: "Person", id: "${defendantId}" }]) { ... on Person { treatmentConsents { id irrevocableUntil } } } }`,
      {}, { url: stack.subgraphUrls.counseling, as: COUNSELOR });
    const [consent] = consents.data._entities[0].treatmentConsents;
    expect(consent.irrevocableUntil).toEqual(expect.any(String));
    const result = await stack.gql('mutation($input: RevokeTreatmentConsentInput!) { revokeTreatmentConsent(input: $input) { id } }',
      { input: { consentId: consent.id } }, { as: COUNSELOR });
    expect(result.errors?.[0].extensions?.problems[0].message).toBe(`names a consent irrevocable until ${consent.irrevocableUntil} (42 CFR 2.35)`);
  });

  it('stops listing them from the request after a revocable consent is revoked, exactly as if there were none', async () => {
    const as = (who: typeof JUDGE) => ({ as: who });
    const opened = await stack.gql('mutation($input: OpenCaseInput!) { openCase(input: $input) { id parties { role person { id } } } }', {
      input: { docketNumber: 'DV-2026-800001', caseType: 'CRIMINAL_DOMESTIC_VIOLENCE', courtName: 'Court', filedDate: '2026-08-01',
        parties: [{ newPerson: { givenName: 'P', familyName: 'V' }, role: 'VICTIM' }, { newPerson: { givenName: 'P', familyName: 'D' }, role: 'DEFENDANT' }] },
    }, as(CLERK));
    const caseId = opened.data.openCase.id;
    const patient = opened.data.openCase.parties.find((p: any) => p.role === 'DEFENDANT').person.id;
    const mandate = await stack.gql('mutation($input: MandateProgramInput!) { mandateProgram(input: $input) { id } }', {
      input: { caseId, personId: patient, programType: 'SUBSTANCE_USE_TREATMENT', providerAgency: 'COUNSELING', orderedDate: '2026-08-05', dueDate: '2027-02-05' },
    }, as(CLERK));
    const enrolled = await stack.gql('mutation($input: EnrollInProgramInput!) { enrollInProgram(input: $input) { id } }', {
      input: { personId: patient, caseId, mandateId: mandate.data.mandateProgram.id, programType: 'SUBSTANCE_USE_TREATMENT',
        providerName: 'Clinic', referralSource: 'COURT_MANDATE', enrolledDate: '2026-08-10' },
    }, as(COUNSELOR));
    await stack.gql('mutation($input: RecordSessionAttendanceInput!) { recordSessionAttendance(input: $input) { id } }', {
      input: { enrollmentId: enrolled.data.enrollInProgram.id, sessionDate: '2026-08-17', format: 'INDIVIDUAL', attendance: 'ATTENDED' },
    }, as(COUNSELOR));
    const withoutConsent = await enrollmentsFor(PROBATION_OFFICER, caseId);
    const consent = await stack.gql('mutation($input: RecordTreatmentConsentInput!) { recordTreatmentConsent(input: $input) { id } }', {
      input: { personId: patient, discloser: 'Clinic', recipientAgency: 'PROBATION', purposes: ['COMPLIANCE_MONITORING'],
        data: ['ProgramEnrollment.*'], signedBy: 'P D', signedDate: '2026-08-10', expiresOn: '2027-08-10', expiryEvent: 'end of probation' },
    }, as(COUNSELOR));
    const withConsent = await enrollmentsFor(PROBATION_OFFICER, caseId);
    expect(withConsent.data.case.programEnrollments).toHaveLength(1);
    // The consent covers the enrollment, not its sessions: those stay withheld, as Part 2 data.
    const sessions = await stack.gql('query($id: ID!) { case(id: $id) { programEnrollments { id sessions { attendance } } } }',
      { id: caseId }, { as: PROBATION_OFFICER });
    expect(sessions.data.case.programEnrollments[0].sessions).toEqual([{ attendance: null }]);
    expect(sessions.errors?.map((e) => [e.extensions?.coordinate, e.extensions?.reason])).toEqual([['CounselingSession.attendance', 'RECORD_WITHHELD']]);
    const logged: any[] = await stack.databases.counseling.query(
      "SELECT agreement_id AS \"agreementId\", consent_id AS \"consentId\", coordinates FROM disclosure_log WHERE request_id = $1 AND outcome = 'RELEASED'", [sessions.requestId]);
    const enrollmentRelease = logged.find((r) => r.coordinates.includes('ProgramEnrollment.sessions'));
    expect(enrollmentRelease).toMatchObject({ agreementId: 'MOU-2026-CNS-02', consentId: consent.data.recordTreatmentConsent.id });
    await stack.gql('mutation($input: RevokeTreatmentConsentInput!) { revokeTreatmentConsent(input: $input) { id } }',
      { input: { consentId: consent.data.recordTreatmentConsent.id } }, as(COUNSELOR));
    const revoked = await enrollmentsFor(PROBATION_OFFICER, caseId);
    // Same answer as before any consent, and as for a case with no such record at all.
    expect(revoked).toEqual(withoutConsent);
    expect(revoked.data.case.programEnrollments).toEqual([]);
    expect(revoked.errors).toBeUndefined();
  });
});

describe('the disclosure log', () => {
  // The gateway's id of the first audited request (the gateway generates every request id).
  let auditOne = '';
  it('records every release and every refusal of a request, once, with who, why and under what', async () => {
    // A new consent for the victim (the first test revoked one and recorded another).
    auditOne = (await housingStatusForJudge()).result.requestId!;
    const housing = await rowsFor('housing', auditOne);
    expect(housing).toEqual([
      { personId: victimId, coordinates: ['Person.housingStatus'], agreementId: 'MOU-2026-HSG-01', consentId: expect.any(String),
        outcome: 'RELEASED', reason: null, callerAgency: 'courts', callerRole: 'judge', purpose: 'judicial_review', callerSubject: 'courts-judge-test' },
      { personId: defendantId, coordinates: ['Person.housingStatus'], agreementId: 'MOU-2026-HSG-01', consentId: null,
        outcome: 'DENIED', reason: 'CONSENT_EXPIRED', callerAgency: 'courts', callerRole: 'judge', purpose: 'judicial_review', callerSubject: 'courts-judge-test' },
    ]);
    // The court reading its own records discloses nothing.
    expect(await rowsFor('courts', auditOne)).toEqual([]);
  });

  it('loses no release: every record probation was shown has its row', async () => {
    const result = await stack.gql(operation('WholeCase'), { id: stack.demoCaseId }, { as: PROBATION_OFFICER });
    const rows: any[] = await rowsFor('counseling', result.requestId!);
    const released = rows.filter((r) => r.outcome === 'RELEASED');
    const logged = new Set(released.flatMap((r: any) => r.coordinates.map((c: string) => `${r.personId}:${c}`)));
    for (const enrollment of result.data.case.programEnrollments) {
      for (const field of Object.keys(enrollment)) expect(logged).toContain(`${defendantId}:ProgramEnrollment.${field}`);
    }
    const sud = released.find((r: any) => r.agreementId === 'MOU-2026-CNS-02');
    expect(sud.consentId).toEqual(expect.any(String));
    // The log shows the notice went with the Part 2 release.
    expect(sud.coordinates).toContain('ProgramEnrollment.redisclosureNotice');
    const denied = rows.filter((r) => r.outcome === 'DENIED').flatMap((r: any) => r.coordinates);
    expect(denied).toContain('ProgressReport.summary');
  });

  it('is append-only in the database and its hash chain verifies', async () => {
    for (const agency of AGENCIES) {
      const db = stack.databases[agency];
      // The service's role has no right to change it; its owner is stopped by the trigger.
      await expect(db.query("UPDATE disclosure_log SET outcome = 'RELEASED'")).rejects.toThrow(/permission denied/);
      await expect(db.query('DELETE FROM disclosure_log')).rejects.toThrow(/permission denied/);
      await expect(db.query('TRUNCATE disclosure_log')).rejects.toThrow(/permission denied/);
      await stack.asOwner(agency, async (owner) => {
        await expect(owner.query("UPDATE disclosure_log SET outcome = 'RELEASED'")).rejects.toThrow(/append-only/);
        await expect(owner.query('DELETE FROM disclosure_log')).rejects.toThrow(/append-only/);
        await expect(owner.query('TRUNCATE disclosure_log')).rejects.toThrow(/append-only/);
      });
      expect(await verifyChain(db)).toMatchObject({ ok: true });
    }
    expect((await verifyChain(stack.databases.housing)).rows).toBeGreaterThan(0);
  });

  it('finds a row changed behind its back (by someone who could disable the guard: the owner role)', async () => {
    await stack.asOwner('counseling', async (db) => {
      await db.query('ALTER TABLE disclosure_log DISABLE TRIGGER disclosure_log_no_change');
      try {
        await db.query("UPDATE disclosure_log SET caller_role = 'someone_else' WHERE seq = 2");
        expect(await verifyChain(db)).toMatchObject({ ok: false, firstBrokenSeq: '2', problem: 'the row was changed after it was written' });
      } finally {
        await db.query("UPDATE disclosure_log SET caller_role = 'probation_officer' WHERE seq = 2 AND caller_role = 'someone_else'");
        await db.query('ALTER TABLE disclosure_log ENABLE TRIGGER disclosure_log_no_change');
      }
    });
  });

  it('withholds protected data when it cannot be written, and the rest of the case still arrives', async () => {
    const rename = (from: string, to: string) => stack.asOwner('housing', (db) => db.query(`ALTER TABLE ${from} RENAME TO ${to}`));
    await rename('disclosure_log', 'disclosure_log_away');
    try {
      const { byRole, result } = await housingStatusForJudge();
      expect(byRole).toEqual({ VICTIM: null, DEFENDANT: null });
      expect(result.errors?.map((e) => e.extensions?.code)).toContain('AUDIT_UNAVAILABLE');
      expect(result.data.case.id).toBe(stack.demoCaseId);
    } finally {
      await rename('disclosure_log_away', 'disclosure_log');
    }
    expect((await housingStatusForJudge()).byRole.VICTIM).toBe('IN_SHELTER');
  });

  it('treats a database failure while checking consent as an error, not a refusal', async () => {
    const rename = (from: string, to: string) => stack.asOwner('housing', (db) => db.query(`ALTER TABLE ${from} RENAME TO ${to}`));
    await rename('consent', 'consent_away');
    try {
      const { result } = await housingStatusForJudge();
      const codes = new Set(result.errors?.map((e) => e.extensions?.code));
      expect(codes.has('FORBIDDEN')).toBe(false);
      expect(codes.has('INTERNAL_SERVER_ERROR')).toBe(true);
      expect(JSON.stringify(result.errors)).not.toMatch(/consent_away|relation|SELECT/);
    } finally {
      await rename('consent_away', 'consent');
    }
  });

  it('gives the owner an accounting of disclosures about a person, and nobody else', async () => {
    const query = `{ _entities(representations: [{ __typename: "Person", id: "${victimId}" }]) { ... on Person {
      housingDisclosures(from: "2026-01-01", to: "2099-12-31") { at recipientAgency recipientRole purpose coordinates agreementId consentId outcome requestId } } } }`;
    const own = await stack.gql(query, {}, { url: stack.subgraphUrls.housing, as: CASEWORKER });
    const lines = own.data._entities[0].housingDisclosures;
    expect(lines.find((l: any) => l.requestId === auditOne)).toMatchObject({
      recipientAgency: 'courts', recipientRole: 'judge', purpose: 'judicial_review', coordinates: ['Person.housingStatus'],
      agreementId: 'MOU-2026-HSG-01', outcome: 'RELEASED',
    });
    const judge = await stack.gql(query, {}, { url: stack.subgraphUrls.housing, as: JUDGE });
    expect(judge.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OWNER_ONLY' });
  });
});

describe('all or nothing', () => {
  it('returns no data when any field is withheld and the caller asked for all or nothing', async () => {
    const partial = await stack.gql(operation('WholeCase'), { id: stack.demoCaseId }, { as: JUDGE });
    expect(partial.data.case.docketNumber).toBe('DV-2026-000001');
    const strict = await stack.gql(operation('WholeCase'), { id: stack.demoCaseId }, { as: JUDGE, headers: { 'x-withheld-fields': 'fail' } });
    expect(strict.data).toBeNull();
    expect(strict.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ALL_OR_NOTHING' });
    expect(strict.errors?.[0].extensions?.withheld).toContain('Case.shelterStays');
    const complete = await stack.gql('query($id: ID!) { case(id: $id) { docketNumber } }', { id: stack.demoCaseId }, { as: JUDGE, headers: { 'x-withheld-fields': 'fail' } });
    expect(complete.data.case.docketNumber).toBe('DV-2026-000001');
  });

  it('passes the header on, so the subgraphs release nothing either and their logs record no release', async () => {
    const strict = await stack.gql(operation('WholeCase'), { id: stack.demoCaseId }, { as: PROBATION_OFFICER, headers: { 'x-withheld-fields': 'fail' } });
    expect(strict.data).toBeNull();
    expect(strict.errors?.filter((e) => e.extensions?.reason === 'ALL_OR_NOTHING')).toHaveLength(1);
    // The court withheld some of its case record from probation: it answered no data, logged its refusals and no release.
    const rows = await rowsFor('courts', strict.requestId!);
    expect(rows.map((r) => r.outcome)).toContain('DENIED');
    expect(rows.filter((r) => r.outcome === 'RELEASED')).toEqual([]);
  });

  it('is enforced by each subgraph for its own part, for whatever router forwards the header', async () => {
    const query = `query($id: ID!) { _entities(representations: [{ __typename: "Case", id: $id }]) { ... on Case { programEnrollments { id redisclosureNotice programType progressReports { summary } } } } }`;
    const direct = (headers: Record<string, string>) => stack.gql(query, { id: stack.demoCaseId }, { url: stack.subgraphUrls.counseling, as: PROBATION_OFFICER, headers });
    const partial = await direct({});
    expect(partial.data._entities[0].programEnrollments.length).toBe(2);
    const strict = await direct({ 'x-withheld-fields': 'fail' });
    // The entity asked for is null, with one error where it goes (what routers place as an entity's error).
    expect(strict.data).toEqual({ _entities: [null] });
    expect(strict.errors).toHaveLength(1);
    expect(strict.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/field\(s\) withheld and x-withheld-fields: fail asked for all or nothing/),
      path: ['_entities', 0],
      extensions: { code: 'FORBIDDEN', reason: 'ALL_OR_NOTHING', serviceName: 'counseling', withheld: ['ProgressReport.summary'] },
    });
    const refusals = strict.errors![0].extensions!.refusals as any[];
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((e) => e.extensions?.reason === 'OWNER_ONLY')).toBe(true);
    const rows = await rowsFor('counseling', strict.requestId!);
    expect(rows.filter((r) => r.outcome === 'RELEASED')).toEqual([]);
    expect(rows.find((r) => r.outcome === 'DENIED')).toMatchObject({ reason: 'OWNER_ONLY', coordinates: ['ProgressReport.summary'] });
    // Nothing withheld: the data comes.
    const complete = await stack.gql(query.replace(' progressReports { summary }', ''), { id: stack.demoCaseId }, { url: stack.subgraphUrls.counseling, as: PROBATION_OFFICER, headers: { 'x-withheld-fields': 'fail' } });
    expect(complete.errors).toBeUndefined();
    expect(complete.data._entities[0].programEnrollments).toHaveLength(2);
  });

  it('at a subgraph, nulls a nullable root field where it stands, and the whole data for one that may not be null', async () => {
    const disclosures = 'courtsDisclosures(from: "2026-01-01", to: "2026-12-31") { at }';
    const ask = (query: string) => stack.gql(query, { id: stack.demoCaseId }, { url: stack.subgraphUrls.courts, as: PROBATION_OFFICER, headers: { 'x-withheld-fields': 'fail' } });
    const nullable = await ask(`query($id: ID!) { case(id: $id) { id parties { person { id ${disclosures} } } } }`);
    expect(nullable.data).toEqual({ case: null });
    expect(nullable.errors).toHaveLength(1);
    expect(nullable.errors![0]).toMatchObject({ path: ['case'], extensions: { reason: 'ALL_OR_NOTHING', serviceName: 'courts', withheld: ['Person.courtsDisclosures'] } });
    // cases: CaseConnection! — graphql-js would null the whole data for it, and so does this.
    const nonNull = await ask(`query($id: ID!) { case(id: $id) { id } cases(first: 2) { nodes { parties { person { ${disclosures} } } } } }`);
    expect(nonNull.data).toBeNull();
    expect(nonNull.errors).toHaveLength(1);
    expect(nonNull.errors![0].extensions).toMatchObject({ reason: 'ALL_OR_NOTHING', withheld: ['Person.courtsDisclosures'] });
  });
});
