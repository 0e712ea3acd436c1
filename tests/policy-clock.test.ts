/**
 * One policy clock: the suite's date-sensitive cases hold on the tests' fixed date and years
 * from now (the seed drawn for the clock's date, the agreements renewed for the same span), with
 * nothing read from the machine's calendar; and a day is a day in the policy time zone — an
 * agreement or consent that ends on a day is in force at 23:30 local time that day (already the
 * next day in UTC) and not the next local morning.
 */
import { addDays, daysBetween, localDate } from '../lib/clock';
import { Agreement, loadAgreements } from '../lib/policy/agreements';
import { TEST_TODAY, TestStack, startTestStack, testClock } from './support/stack';
import { CASEWORKER, JUDGE } from './support/tokens';

const STATUS_QUERY = 'query($id: ID!) { case(id: $id) { id parties { role person { id housingStatus } } } }';
const HOUSING_STATUS_MOU = 'MOU-2026-HSG-01';

describe.each(['2026-11-24', '2031-06-15'])('the date-sensitive cases on %s', (day) => {
  const clock = testClock(`${day}T12:00`);
  // The shipped agreements as if renewed for the same span; the status agreement ends 10 days on.
  const agreementEnds = addDays(day, 10);
  const agreements: Agreement[] = loadAgreements().map((a) => ({
    ...a,
    effective: addDays(a.effective, daysBetween(TEST_TODAY, day)),
    expires: a.id === HOUSING_STATUS_MOU ? agreementEnds : addDays(a.expires, daysBetween(TEST_TODAY, day)),
  }));
  let stack: TestStack;
  let victimId: string;

  beforeAll(async () => {
    stack = await startTestStack({ cases: 3, clock, agreements });
    const parties: { personId: string; role: string }[] = await stack.databases.courts.query(
      'SELECT person_id AS "personId", role FROM case_party WHERE case_id = $1',
      [stack.demoCaseId],
    );
    victimId = parties.find((p) => p.role === 'VICTIM')!.personId;
  });
  afterAll(() => stack?.stop());
  afterEach(() => clock.set(`${day}T12:00`));

  async function victimStatus() {
    const result = await stack.gql(STATUS_QUERY, { id: stack.demoCaseId }, { as: JUDGE });
    const victim = result.data.case.parties.find((p: any) => p.role === 'VICTIM');
    const reasons = (result.errors ?? []).filter((e) => e.path?.includes('housingStatus') && String(e.path).includes(String(result.data.case.parties.indexOf(victim))));
    return { status: victim.person.housingStatus as string | null, reasons: reasons.map((e) => e.extensions?.reason) };
  }

  it('releases a sheltered victim’s housing status to the judge under her consent, in force today', async () => {
    expect(clock.today()).toBe(day);
    expect(await victimStatus()).toEqual({ status: 'IN_SHELTER', reasons: [] });
  });

  it('refuses data of the pilot agreement that ended, saying it expired', async () => {
    const result = await stack.gql('query($id: ID!) { case(id: $id) { id supervisions { id status } } }', { id: stack.demoCaseId },
      { as: CASEWORKER });
    expect(result.data.case.id).toBe(stack.demoCaseId);
    expect(result.errors?.map((e) => e.extensions?.reason)).toContain('AGREEMENT_EXPIRED');
  });

  it('takes today, by the policy clock, as the latest date a fact may have', async () => {
    const open = (docketNumber: string, filedDate: string) => stack.gql(
      'mutation($input: OpenCaseInput!) { openCase(input: $input) { id filedDate } }',
      { input: { docketNumber, caseType: 'CIVIL_PROTECTION_ORDER', courtName: 'Court', filedDate,
        parties: [{ newPerson: { givenName: 'A', familyName: 'B' }, role: 'PETITIONER' }, { newPerson: { givenName: 'C', familyName: 'D' }, role: 'RESPONDENT' }] } },
    );
    const today = await open('DV-2031-700001', day);
    expect(today.errors).toBeUndefined();
    expect(today.data.openCase.filedDate).toBe(day);
    const tomorrow = await open('DV-2031-700002', addDays(day, 1));
    expect(tomorrow.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.filedDate' } });
    expect(tomorrow.errors?.[0].message).toMatch(/input\.filedDate must not be in the future/);
  });

  it('keeps a consent that ends today in force until midnight local time, not UTC', async () => {
    const [consent] = await stack.databases.housing.query(
      "SELECT id, to_char(expires_on, 'YYYY-MM-DD') AS \"expiresOn\" FROM consent WHERE person_id = $1 AND recipient_agency = 'courts'", [victimId]);
    await stack.asOwner('housing', (db) => db.query('UPDATE consent SET expires_on = $2 WHERE id = $1', [consent.id, day]));
    try {
      clock.set(`${day}T23:30`);
      expect(localDate(clock.now(), 'UTC')).toBe(addDays(day, 1)); // UTC would already say tomorrow
      expect(await victimStatus()).toEqual({ status: 'IN_SHELTER', reasons: [] });
      clock.set(`${addDays(day, 1)}T08:00`);
      const next = await victimStatus();
      expect(next.status).toBeNull();
      // The court is told only that it is withheld; housing's log keeps CONSENT_EXPIRED.
      expect(next.reasons).toEqual(['RECORD_WITHHELD']);
    } finally {
      await stack.asOwner('housing', (db) => db.query('UPDATE consent SET expires_on = $2 WHERE id = $1', [consent.id, consent.expiresOn]));
    }
  });

  it('keeps an agreement that ends on a day in force until midnight local time, not UTC', async () => {
    clock.set(`${agreementEnds}T23:30`);
    expect(localDate(clock.now(), 'UTC')).toBe(addDays(agreementEnds, 1));
    expect(await victimStatus()).toEqual({ status: 'IN_SHELTER', reasons: [] });
    clock.set(`${addDays(agreementEnds, 1)}T08:00`);
    expect(await victimStatus()).toEqual({ status: null, reasons: ['AGREEMENT_EXPIRED'] });
  });

  it('applies a revocation from the next request, by the policy clock', async () => {
    const [consent] = await stack.databases.housing.query(
      "SELECT id FROM consent WHERE person_id = $1 AND recipient_agency = 'courts'", [victimId]);
    const revoked = await stack.gql('mutation($input: RevokeHousingConsentInput!) { revokeHousingConsent(input: $input) { id revoked } }',
      { input: { consentId: consent.id } }, { as: CASEWORKER });
    expect(revoked.data.revokeHousingConsent).toEqual({ id: consent.id, revoked: true });
    const [row] = await stack.databases.housing.query('SELECT revoked_at FROM consent WHERE id = $1', [consent.id]);
    expect(new Date(row.revoked_at).toISOString()).toBe(clock.now().toISOString());
    expect((await victimStatus()).status).toBeNull();
  });
});
