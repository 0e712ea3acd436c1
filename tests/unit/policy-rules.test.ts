/**
 * The compiled rule tree on its own: a schema, a policy, agreements and a caller, no database.
 * Agreement dates are checked against the request's day; consents against their own dates.
 */
import { GraphQLError, graphql, locatedError } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import DataLoader from 'dataloader';
import { Agreement } from '../../lib/policy/agreements';
import { DisclosureCollector } from '../../lib/policy/audit';
import { SubgraphPolicy } from '../../lib/policy/classification';
import { ConsentRecord, consentInForce } from '../../lib/policy/consent';
import { compilePolicy, forbidden, recordsBeneath } from '../../lib/policy/rules';
import { RolePolicy } from '../../lib/policy/roles';
import { POLICY_EXECUTORS, PolicyExecutor, guardSchema } from '../../lib/policy/executor';

const typeDefs = `
  type Query { supervision: Supervision }
  type Supervision { id: ID! status: String level: String notes: String personId: ID }
`;
const policy: SubgraphPolicy = {
  owner: 'probation', public: ['Supervision.id'], ownerOnly: ['Supervision.notes', 'Supervision.personId'],
  neverShared: [], neverSharedReason: '', recordScopes: {},
};
const base: Agreement = {
  id: 'MOU-A', version: 1, title: 't', parties: ['probation', 'courts'], dataOwner: 'probation',
  grantees: [{ agency: 'courts', roles: ['judge'] }], purposes: ['judicial_review'], effective: '2026-01-01',
  expires: '2026-12-31', consentRequired: false, fields: ['Query.supervision', 'Supervision.status'], legalBasis: 'b', file: 'a.yaml',
};

/** The owner's officers read everything but the notes, for compliance monitoring only; its analysts nothing. */
const roles: RolePolicy = {
  agency: 'probation', version: 1, file: 'probation.yaml', sensitive: [{ fields: ['Supervision.notes'], reason: 'free text' }],
  roles: {
    probation_officer: { description: 'd', withheld: [], grants: [
      { id: 'probation/probation_officer#1', role: 'probation_officer', purposes: ['compliance_monitoring'], fields: ['*'], except: ['Supervision.notes'], legalBasis: 'b' },
      { id: 'probation/probation_officer#2', role: 'probation_officer', purposes: ['case_management'], fields: ['Supervision.notes'], except: [], legalBasis: 'b' },
    ] },
    probation_supervisor: { description: 'd', withheld: [], grants: [
      { id: 'probation/probation_supervisor#1', role: 'probation_supervisor', purposes: ['compliance_monitoring'], fields: ['*'], except: [], legalBasis: 'b' },
    ] },
  },
};

async function runWith(executor: PolicyExecutor, agreements: Agreement[], caller: any, day = '2026-06-01', consents: ConsentRecord[] = []) {
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: { Query: { supervision: () => ({ id: 's1', status: 'ACTIVE', level: 'HIGH', notes: 'private', personId: 'p1' }) } },
  });
  const compiled = compilePolicy(schema, policy, agreements, roles);
  const guarded = guardSchema(schema, compiled, executor);
  const disclosures = new DisclosureCollector();
  const result = await graphql({
    schema: guarded,
    source: '{ supervision { id status level notes } }',
    contextValue: {
      caller, disclosures,
      policy: { today: day, decisions: new Map(), knownConsents: new Map(), notices: new Set(), consents: new DataLoader(async (ids: readonly string[]) => ids.map(() => consents)) },
    },
  });
  const reasons = Object.fromEntries((result.errors ?? []).map((e) => [e.extensions.coordinate, e.extensions.reason]));
  return { data: result.data as any, reasons, disclosures };
}

const judge = { agency: 'courts', role: 'judge', purpose: 'judicial_review', subject: 'j', token: '' };

describe.each(POLICY_EXECUTORS)('compiled rules, run by the %s executor', (executor) => {
  const run = (...a: Parameters<typeof runWith> extends [any, ...infer R] ? R : never) => runWith(executor, ...a);
  it('releases what an agreement in force grants, and nothing else', async () => {
    const { data, reasons } = await run([base], judge);
    expect(data.supervision).toEqual({ id: 's1', status: 'ACTIVE', level: null, notes: null });
    expect(reasons).toEqual({ 'Supervision.level': 'OWNER_ONLY', 'Supervision.notes': 'OWNER_ONLY' });
  });

  it("decides the owner's own staff by the role policy: role, purpose, deny by default; logs sensitive reads", async () => {
    const supervisor = { ...judge, agency: 'probation', role: 'probation_supervisor', purpose: 'compliance_monitoring' };
    const all = await run([base], supervisor);
    expect(all.data.supervision.notes).toBe('private');
    expect(all.reasons).toEqual({});
    expect(all.disclosures.groups().map((g) => [g.outcome, g.agreement_id, g.coordinates])).toEqual([['READ', 'probation/probation_supervisor#1', ['Supervision.notes']]]);
    const officer = await run([base], { ...supervisor, role: 'probation_officer' });
    expect(officer.data.supervision).toEqual({ id: 's1', status: 'ACTIVE', level: 'HIGH', notes: null });
    expect(officer.reasons).toEqual({ 'Supervision.notes': 'PURPOSE_NOT_COVERED' });
    expect(officer.disclosures.groups().map((g) => [g.outcome, g.reason])).toEqual([['DENIED', 'PURPOSE_NOT_COVERED']]);
    expect((await run([base], { ...supervisor, role: 'analyst' })).reasons).toEqual({
      'Query.supervision': 'ROLE_NOT_PERMITTED',
    });
    expect((await run([base], { ...supervisor, purpose: 'research' })).reasons['Query.supervision']).toBe('PURPOSE_NOT_COVERED');
  });

  it('says why: another role, another purpose, an expired or future agreement', async () => {
    expect((await run([base], { ...judge, role: 'court_clerk' })).reasons['Query.supervision']).toBe('NO_AGREEMENT');
    expect((await run([base], { ...judge, purpose: 'research' })).reasons['Query.supervision']).toBe('PURPOSE_NOT_COVERED');
    expect((await run([base], judge, '2027-01-01')).reasons['Query.supervision']).toBe('AGREEMENT_EXPIRED');
    expect((await run([base], judge, '2025-12-31')).reasons['Query.supervision']).toBe('AGREEMENT_NOT_YET_IN_FORCE');
  });

  it('records releases and denials for the audit, grouped by the person they are about', async () => {
    const { disclosures } = await run([base], judge);
    const rows = disclosures.toRows(judge as any, 'r1');
    expect(rows.map((r) => [r.outcome, r.person_id, r.coordinates, r.agreement_id, r.reason])).toEqual([
      ['RELEASED', null, ['Query.supervision'], 'MOU-A', null],
      ['RELEASED', 'p1', ['Supervision.status'], 'MOU-A', null],
      ['DENIED', 'p1', ['Supervision.level', 'Supervision.notes'], null, 'OWNER_ONLY'],
    ]);
  });

  it('releases a consent-bound field only while a consent covers it', async () => {
    const consentBound: Agreement = { ...base, consentRequired: true, fields: ['Query.supervision', 'Supervision.status'] };
    const consent: ConsentRecord = {
      id: 'c1', personId: 'p1', discloser: 'x', recipientAgency: 'courts', purposes: ['judicial_review'], data: ['Supervision.status'],
      signedBy: 's', signedDate: '2026-01-01', expiresOn: '2026-12-31', expiryEvent: null, revokedAt: null, irrevocableUntil: null, legalBasis: 'b',
    };
    expect((await run([consentBound], judge, '2026-06-01', [consent])).data.supervision.status).toBe('ACTIVE');
    // The caller is told the same in each case; the owner's log keeps the precise reason.
    const cases: [ConsentRecord[], string][] = [
      [[], 'CONSENT_MISSING'],
      [[{ ...consent, expiresOn: '2026-03-01' }], 'CONSENT_EXPIRED'],
      [[{ ...consent, revokedAt: new Date('2026-05-01') }], 'CONSENT_REVOKED'],
    ];
    for (const [consents, logged] of cases) {
      const { reasons, disclosures } = await run([consentBound], judge, '2026-06-01', consents);
      expect(reasons['Supervision.status']).toBe('RECORD_WITHHELD');
      expect(disclosures.groups().find((g) => g.coordinates.includes('Supervision.status'))?.reason).toBe(logged);
    }
  });
});

describe('consentInForce', () => {
  const consent: ConsentRecord = {
    id: 'c1', personId: 'p1', discloser: 'x', recipientAgency: 'probation', purposes: ['compliance_monitoring'], data: ['ProgramEnrollment.*'],
    signedBy: 's', signedDate: '2026-02-01', expiresOn: '2027-12-31', expiryEvent: 'end of probation', revokedAt: null, irrevocableUntil: null, legalBasis: 'b',
  };
  it('covers the data and purpose it names, from its signing date', () => {
    expect(consentInForce([consent], 'compliance_monitoring', 'ProgramEnrollment.status', '2026-06-01').ok).toBe(true);
    expect(consentInForce([consent], 'judicial_review', 'ProgramEnrollment.status', '2026-06-01')).toEqual({ ok: false, reason: 'CONSENT_MISSING' });
    expect(consentInForce([consent], 'compliance_monitoring', 'ClinicalNote.body', '2026-06-01')).toEqual({ ok: false, reason: 'CONSENT_MISSING' });
    expect(consentInForce([consent], 'compliance_monitoring', 'ProgramEnrollment.status', '2026-01-15')).toEqual({ ok: false, reason: 'CONSENT_MISSING' });
  });
});

describe('a refusal', () => {
  const refusal = forbidden('Supervision.level', 'NO_AGREEMENT', judge as any, 'probation', [], {
    path: { prev: { prev: undefined, key: 'supervision', typename: 'Query' }, key: 'level', typename: 'Supervision' },
  } as any);
  it('is a GraphQLError with its path, serialized without locations or stack', () => {
    expect(refusal).toBeInstanceOf(GraphQLError);
    expect(refusal).toBeInstanceOf(Error);
    expect(String(refusal)).toBe('Supervision.level withheld: no agreement grants it to courts judge.');
    expect(JSON.parse(JSON.stringify(refusal))).toEqual({
      message: 'Supervision.level withheld: no agreement grants it to courts judge.',
      path: ['supervision', 'level'],
      extensions: { code: 'FORBIDDEN', coordinate: 'Supervision.level', reason: 'NO_AGREEMENT' },
    });
  });
  it('is kept as it is by graphql-js rather than wrapped', () => {
    expect(locatedError(refusal, [], ['other'])).toBe(refusal);
  });
});

/** A thenable that is not a native Promise (as some query builders return): graphql-js waits for it. */
const thenable = <T>(value: T) => ({ then: (resolve: (v: T) => unknown) => resolve(value) });

describe.each(POLICY_EXECUTORS)('record scopes, run by the %s executor', (executor) => {
  const scopedTypeDefs = `
    type Query { enrollments: [Enrollment!] lonelySession: Session }
    type Enrollment { id: ID! kind: String personId: ID sessions: [Session!] }
    type Session { id: ID! attended: Boolean }
  `;
  const scopedPolicy: SubgraphPolicy = {
    owner: 'counseling', public: [], ownerOnly: [], neverShared: [], neverSharedReason: '',
    recordScopes: {
      other: { type: 'Enrollment', description: 'not SUD', test: (row) => row.kind !== 'SUD' },
      sud: { type: 'Enrollment', description: 'SUD', test: (row) => row.kind === 'SUD' },
    },
  };
  const fields = ['Query.enrollments', 'Query.lonelySession', 'Enrollment.id', 'Enrollment.kind', 'Enrollment.sessions', 'Session.id', 'Session.attended'];
  const common = { ...base, dataOwner: 'counseling' as const, grantees: [{ agency: 'probation' as const, roles: ['probation_officer'] }], purposes: ['compliance_monitoring' as const], fields };
  const agreements: Agreement[] = [
    { ...common, id: 'NON-SUD', records: 'other', consentRequired: false },
    { ...common, id: 'SUD', records: 'sud', consentRequired: true },
  ];
  const officer = { agency: 'probation', role: 'probation_officer', purpose: 'compliance_monitoring', subject: 'o', token: '' };
  const rows = () => [
    { id: 'e1', kind: 'ANGER', personId: 'p1', sessions: [{ id: 's1', attended: true }] },
    { id: 'e2', kind: 'SUD', personId: 'p2', sessions: [{ id: 's2', attended: false }] },
    { id: 'e3', kind: 'SUD', personId: 'p3', sessions: [{ id: 's3', attended: true }] },
  ];
  // p2 consented to the enrollment itself only; p3 to everything; nobody else to anything.
  const consent = (id: string, personId: string, data: string[]): ConsentRecord => ({
    id, personId, discloser: 'x', recipientAgency: 'probation', purposes: ['compliance_monitoring'], data,
    signedBy: 's', signedDate: '2026-01-01', expiresOn: '2026-12-31', expiryEvent: null, revokedAt: null, irrevocableUntil: null, legalBasis: 'b',
  });
  const consents: Record<string, ConsentRecord[]> = { p2: [consent('c2', 'p2', ['Enrollment.*'])], p3: [consent('c3', 'p3', ['*'])] };

  async function ask(wrap: (value: unknown) => unknown, source = '{ enrollments { id kind sessions { id attended } } }') {
    const schema = makeExecutableSchema({
      typeDefs: scopedTypeDefs,
      resolvers: {
        Query: { enrollments: () => wrap(rows()), lonelySession: () => ({ id: 's9', attended: true }) },
        Enrollment: { sessions: (e: any) => wrap(e.sessions) },
      },
    });
    const guarded = guardSchema(schema, compilePolicy(schema, scopedPolicy, agreements), executor);
    const disclosures = new DisclosureCollector();
    const result = await graphql({
      schema: guarded,
      source,
      contextValue: {
        caller: officer, disclosures,
        policy: { today: '2026-06-01', decisions: new Map(), knownConsents: new Map(), notices: new Set(), consents: new DataLoader(async (ids: readonly string[]) => ids.map((id) => consents[id] ?? [])) },
      },
    });
    return { result, rows: disclosures.toRows(officer as any, 'r') };
  }

  it.each([
    ['promises', (v: unknown) => Promise.resolve(v)],
    ['thenables', (v: unknown) => thenable(v)],
  ])('lists only covered records, and releases what hangs from them only as their own agreement and consent allow (resolvers returning %s)', async (_label, wrap) => {
    const { result, rows: logged } = await ask(wrap);
    const data = result.data as any;
    // e2 and e3 are SUD, listed because a consent covers the enrollment; e2's consent does not
    // cover its sessions, whose refused non-null id nulls the list. Both refusals are decided
    // (and logged), as graphql-shield's executor decides every field.
    expect(data.enrollments.map((e: any) => e.id)).toEqual(['e1', 'e2', 'e3']);
    expect(data.enrollments[0].sessions).toEqual([{ id: 's1', attended: true }]);
    expect(data.enrollments[1].sessions).toBeNull();
    expect(data.enrollments[2].sessions).toEqual([{ id: 's3', attended: true }]);
    const refusals = (result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions.reason]).sort();
    expect(refusals).toEqual([
      ['enrollments.1.sessions.0.attended', 'RECORD_WITHHELD'],
      ['enrollments.1.sessions.0.id', 'RECORD_WITHHELD'],
    ]);
    // Logged under the person each record is about, with the agreement and consent that released it.
    const released = logged.filter((r) => r.outcome === 'RELEASED' && r.person_id);
    expect(released.map((r) => [r.person_id, r.agreement_id, r.consent_id]).sort()).toEqual([
      ['p1', 'NON-SUD', null], ['p2', 'SUD', 'c2'], ['p3', 'SUD', 'c3'],
    ]);
    expect(released.find((r) => r.person_id === 'p1')!.coordinates).toEqual(['Enrollment.id', 'Enrollment.kind', 'Enrollment.sessions', 'Session.attended', 'Session.id']);
  });

  it('refuses a record that can only hang from a scoped record but arrives from none', async () => {
    expect(recordsBeneath(makeExecutableSchema({ typeDefs: scopedTypeDefs }), 'Enrollment')).toEqual(new Set(['Session']));
    // Through unions and interfaces too.
    const abstract = makeExecutableSchema({
      typeDefs: `type Query { e: E } type E { items: [Item] notes: [Note] }
        union Item = A | B  type A { id: ID } type B { id: ID }
        interface Note { id: ID }  type C implements Note { id: ID }`,
      resolvers: { Item: { __resolveType: () => 'A' }, Note: { __resolveType: () => 'C' } },
    });
    expect(recordsBeneath(abstract, 'E')).toEqual(new Set(['A', 'B', 'C']));
    // Query.lonelySession reaches a session without its enrollment: the scoped agreements cannot
    // place it, and neither releases it.
    const { result } = await ask((v) => v, '{ lonelySession { id attended } }');
    expect(result.data).toEqual({ lonelySession: null });
    expect((result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions.reason]).sort()).toEqual([
      ['lonelySession.attended', 'RECORD_WITHHELD'],
      ['lonelySession.id', 'RECORD_WITHHELD'],
    ]);
  });
});
