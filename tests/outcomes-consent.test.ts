/**
 * VAWA (34 U.S.C. 12291(b)(2)): housing (shelter) and victim counseling release a victim's records
 * to the outcomes service only under the victim's written, time-limited consent naming it as
 * recipient and research as purpose (MOU-2026-HSG-O1 and MOU-2026-CNS-O2, version 2). Without it the
 * broker gets nothing of the victim's (not listed, not hashed) and the refresh still succeeds; with
 * it the broker reads the records, and the owners' disclosure logs name the consent; a revocation
 * stops the next refresh from reading them.
 */
import { TestStack, startTestStack } from './support/stack';
import { CASEWORKER, CLERK, COUNSELOR, Who } from './support/tokens';
import { REFRESH_QUERY } from '../subgraphs/outcomes/records';
import { consentGatedCoordinates, consentRefusal } from '../subgraphs/outcomes/refresh';
import { loadAgreements } from '../lib/policy/agreements';
import { RESEARCH_CONSENT_DATA } from '../lib/seed';

jest.setTimeout(300_000);

const BROKER: Who = { agency: 'outcomes', role: 'broker', purpose: 'research' };

let stack: TestStack;
let victimId: string;
beforeAll(async () => {
  stack = await startTestStack({ cases: 40 });
  // The demo case's victim: sheltered, applied for housing, in victim counseling, and (in the seed) no research consent.
  [{ personId: victimId }] = await stack.databases.courts.query(
    `SELECT person_id AS "personId" FROM case_party WHERE case_id = $1 AND role IN ('VICTIM', 'PETITIONER')`, [stack.demoCaseId]);
});
afterAll(async () => {
  await stack?.stop();
});

/** What the broker reads of the demo case through the gateway, as a refresh does. */
async function brokerView() {
  const result = await stack.gql(REFRESH_QUERY, { first: 200, after: null }, { as: BROKER });
  const index = result.data.cases.nodes.findIndex((n: any) => n.id === stack.demoCaseId);
  const node = result.data.cases.nodes[index];
  const ofVictim = (list: any[] | null) => (list ?? []).filter((r) => r.person?.id === victimId);
  const errors = (result.errors ?? []).filter((e) => e.path?.[2] === index);
  return {
    stays: ofVictim(node.shelterStays),
    applications: ofVictim(node.housingApplications),
    counseling: ofVictim(node.programEnrollments).filter((e) => e.programType === 'VICTIM_COUNSELING'),
    consent: node.referrals.filter((r: any) => r.person?.id === victimId).map((r: any) => [r.toAgency, r.person.housingResearchConsent, r.person.counselingResearchConsent]),
    errors: errors.map((e) => [e.extensions?.reason, e.extensions?.coordinate]),
    allErrors: result.errors ?? [],
  };
}

/** The owner's disclosure-log rows about the victim released to the broker after `afterSeq`. */
const releasedToBroker = (agency: 'housing' | 'counseling', afterSeq = 0) =>
  stack.databases[agency].query(
    `SELECT agreement_id AS "agreementId", consent_id AS "consentId", coordinates FROM disclosure_log
      WHERE caller_agency = 'outcomes' AND outcome = 'RELEASED' AND person_id = $1 AND seq > $2`, [victimId, afterSeq]);
const lastSeq = async (agency: 'housing' | 'counseling') => Number((await stack.databases[agency].query('SELECT coalesce(max(seq), 0) AS s FROM disclosure_log'))[0].s);

describe('without the victim’s consent', () => {
  it('the broker gets nothing of the victim’s housing or counseling records, though they exist', async () => {
    expect(Number((await stack.databases.housing.query('SELECT count(*) AS n FROM shelter_stay WHERE person_id = $1', [victimId]))[0].n)).toBeGreaterThan(0);
    expect(Number((await stack.databases.housing.query('SELECT count(*) AS n FROM housing_application WHERE person_id = $1', [victimId]))[0].n)).toBeGreaterThan(0);
    expect(Number((await stack.databases.counseling.query(`SELECT count(*) AS n FROM program_enrollment WHERE person_id = $1 AND program_type = 'VICTIM_COUNSELING'`, [victimId]))[0].n)).toBeGreaterThan(0);
    const view = await brokerView();
    expect([view.stays, view.applications, view.counseling]).toEqual([[], [], []]);
    // The research-consent fields are withheld, as for anyone; nothing else of the case is.
    expect(view.consent).toEqual([['COUNSELING', null, null], ['HOUSING', null, null]]);
    expect(view.errors.every(([reason, coordinate]) => reason === 'RECORD_WITHHELD' && /^Person\.(housing|counseling)ResearchConsent$/.test(coordinate))).toBe(true);
  });

  it('the refusal is the same as for a person no agency has a record of (no record-existence leak)', async () => {
    const nobody = '00000000-0000-4000-8000-00000000abcd';
    for (const [agency, field] of [['housing', 'housingResearchConsent'], ['counseling', 'counselingResearchConsent']] as const) {
      const ask = (id: string) => stack.gql(`{ _entities(representations: [{ __typename: "Person", id: "${id}" }]) { ... on Person { ${field} } } }`, {}, { url: stack.subgraphUrls[agency], as: BROKER });
      const [victim, stranger] = [await ask(victimId), await ask(nobody)];
      expect(victim.data).toEqual(stranger.data);
      expect(victim.errors!.map((e) => [e.message, e.extensions])).toEqual(stranger.errors!.map((e) => [e.message, e.extensions]));
    }
    const lists = (id: string) => stack.gql(`{ _entities(representations: [{ __typename: "Case", id: "${id}" }]) { ... on Case { shelterStays { admittedDate } housingApplications { appliedDate } } } }`, {}, { url: stack.subgraphUrls.housing, as: BROKER });
    const [demo, none] = [await lists(stack.demoCaseId!), await lists('00000000-0000-4000-8000-00000000abce')];
    expect(demo).toMatchObject({ data: none.data });
    expect(demo.errors).toBeUndefined();
  });

  it('the refresh still succeeds, leaving the victim out, and nothing of theirs is released', async () => {
    const [h, c] = [await lastSeq('housing'), await lastSeq('counseling')];
    const result = await stack.refreshOutcomes();
    expect(result.withheldForConsent).toBeGreaterThan(0);
    expect(result.referredWithoutConsent).toBeGreaterThan(0);
    expect(await releasedToBroker('housing', h)).toEqual([]);
    expect(await releasedToBroker('counseling', c)).toEqual([]);
  });
});

describe('with the victim’s consent', () => {
  let housingConsent: string;
  let counselingConsent: string;

  it('the broker reads the records, and each release names the consent in the owner’s log', async () => {
    const today = stack.clock.today();
    const expires = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
    const input = { personId: victimId, recipientAgency: 'OUTCOMES', purposes: ['RESEARCH'], signedBy: 'the victim', signedDate: today, expiresOn: expires };
    const h = await stack.gql('mutation($input: RecordHousingConsentInput!) { recordHousingConsent(input: $input) { id recipientAgency } }',
      { input: { ...input, discloser: 'Shelter program', data: RESEARCH_CONSENT_DATA.housing } }, { as: CASEWORKER });
    expect(h.errors).toBeUndefined();
    expect(h.data.recordHousingConsent.recipientAgency).toBe('OUTCOMES');
    housingConsent = h.data.recordHousingConsent.id;
    const c = await stack.gql('mutation($input: RecordTreatmentConsentInput!) { recordTreatmentConsent(input: $input) { id } }',
      { input: { ...input, discloser: 'Victim counseling program', data: RESEARCH_CONSENT_DATA.counseling } }, { as: COUNSELOR });
    expect(c.errors).toBeUndefined();
    counselingConsent = c.data.recordTreatmentConsent.id;

    const view = await brokerView();
    expect(view.stays.length).toBeGreaterThan(0);
    expect(view.applications.length).toBeGreaterThan(0);
    expect(view.counseling.length).toBeGreaterThan(0);
    expect(view.consent).toEqual([['COUNSELING', true, true], ['HOUSING', true, true]]);
    expect(view.errors).toEqual([]);
    // Never the shelter or the stay's id: owner-only again.
    const more = await stack.gql(`{ _entities(representations: [{ __typename: "Case", id: "${stack.demoCaseId}" }]) { ... on Case { shelterStays { id status } } } }`, {}, { url: stack.subgraphUrls.housing, as: BROKER });
    expect(more.errors?.map((e) => e.extensions?.reason)).toContain('OWNER_ONLY');

    const [hs, cs] = [await lastSeq('housing'), await lastSeq('counseling')];
    const result = await stack.refreshOutcomes();
    expect(result.cases).toBe(40);
    const housingRows = await releasedToBroker('housing', hs);
    const counselingRows = await releasedToBroker('counseling', cs);
    expect(housingRows.length).toBeGreaterThan(0);
    expect(counselingRows.length).toBeGreaterThan(0);
    for (const r of housingRows) expect(r).toEqual({ agreementId: 'MOU-2026-HSG-O1', consentId: housingConsent, coordinates: expect.any(Array) });
    const victimCounseling = counselingRows.filter((r: any) => r.agreementId === 'MOU-2026-CNS-O2');
    expect(victimCounseling.length).toBeGreaterThan(0);
    for (const r of victimCounseling) expect(r.consentId).toBe(counselingConsent);
    expect(housingRows.flatMap((r: any) => r.coordinates)).toEqual(expect.arrayContaining(['ShelterStay.admittedDate', 'HousingApplication.appliedDate', 'Person.housingResearchConsent']));
  });

  it('a revoked consent stops the next refresh from reading the victim’s records', async () => {
    const revoked = await stack.gql('mutation($input: RevokeHousingConsentInput!) { revokeHousingConsent(input: $input) { revoked } }',
      { input: { consentId: housingConsent } }, { as: CASEWORKER });
    expect(revoked.data.revokeHousingConsent.revoked).toBe(true);
    const hs = await lastSeq('housing');
    const result = await stack.refreshOutcomes();
    expect(result.cases).toBe(40);
    expect(await releasedToBroker('housing', hs)).toEqual([]);
    const view = await brokerView();
    expect([view.stays, view.applications]).toEqual([[], []]);
    expect(view.counseling.length).toBeGreaterThan(0); // the counseling consent still stands
    const why = await stack.databases.housing.query(
      `SELECT DISTINCT reason FROM disclosure_log WHERE caller_agency = 'outcomes' AND outcome = 'DENIED' AND person_id = $1 AND seq > $2`, [victimId, hs]);
    expect(why).toEqual([{ reason: 'CONSENT_REVOKED' }]);
  });
});

describe('what the refresh accepts as “this victim has not consented”', () => {
  const gated = consentGatedCoordinates(loadAgreements(), '2026-11-26');
  const refusal = (coordinate: string, path: (string | number)[], reason = 'RECORD_WITHHELD') => ({ message: 'withheld', path, extensions: { code: 'FORBIDDEN', reason, coordinate } });

  it('names exactly the consent-gated coordinates of MOU-2026-HSG-O1 and MOU-2026-CNS-O2', () => {
    expect([...gated].sort()).toEqual([
      'Case.housingApplications', 'Case.programEnrollments', 'Case.shelterStays', 'HousingApplication.appliedDate', 'HousingApplication.person',
      'Person.counselingResearchConsent', 'Person.housingResearchConsent', 'ProgramEnrollment.enrolledDate', 'ProgramEnrollment.person',
      'ProgramEnrollment.programType', 'ShelterStay.admittedDate', 'ShelterStay.person',
    ]);
  });

  it('accepts a record withheld on those coordinates in the case’s consent-gated lists, and nothing else', () => {
    expect(consentRefusal(refusal('ShelterStay.admittedDate', ['cases', 'nodes', 3, 'shelterStays', 0, 'admittedDate']), gated)).toBe(true);
    expect(consentRefusal(refusal('Person.housingResearchConsent', ['cases', 'nodes', 3, 'referrals', 1, 'person', 'housingResearchConsent']), gated)).toBe(true);
    // Another reason, another coordinate, or the same coordinate elsewhere (an offender's mandated enrollment) stops the refresh.
    expect(consentRefusal(refusal('ShelterStay.admittedDate', ['cases', 'nodes', 3, 'shelterStays', 0, 'admittedDate'], 'NO_AGREEMENT'), gated)).toBe(false);
    expect(consentRefusal(refusal('ProgramEnrollment.dischargeDate', ['cases', 'nodes', 3, 'programEnrollments', 0, 'dischargeDate']), gated)).toBe(false);
    expect(consentRefusal(refusal('ProgramEnrollment.enrolledDate', ['cases', 'nodes', 3, 'programMandates', 0, 'enrollments', 0, 'enrolledDate']), gated)).toBe(false);
    expect(consentRefusal({ ...refusal('ShelterStay.admittedDate', ['cases', 'nodes', 3, 'shelterStays', 0, 'admittedDate']), extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'RECORD_WITHHELD', coordinate: 'ShelterStay.admittedDate' } }, gated)).toBe(false);
  });
});

describe('the outcomes service as an agency', () => {
  it('may be named as a consent’s recipient, but the court does not refer anyone to it (and writes nothing)', async () => {
    const count = async () => Number((await stack.databases.courts.query('SELECT count(*) AS n FROM referral'))[0].n);
    const before = await count();
    const result = await stack.gql('mutation($input: ReferToServiceInput!) { referToService(input: $input) { id } }', {
      input: { caseId: stack.demoCaseId, personId: victimId, serviceType: 'COUNSELING', toAgency: 'OUTCOMES', referredDate: stack.clock.today() },
    }, { as: CLERK });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].extensions?.problems.map((p: any) => p.field)).toEqual(['input.toAgency']);
    expect(await count()).toBe(before);
  });
});
