/**
 * The test stack's subgraphs behind another federation router: GraphQL Hive Gateway
 * (routers/hive-gateway.ts), in-process, serving the committed supergraph. Two configurations:
 * `plain` only forwards the headers (what any router can be told to do), `configured` adds the
 * 401 before planning and all-or-nothing over the whole response. What must survive either way:
 * the 42 CFR 2.32 notice in the data, the refusals' reasons, nothing disclosed without a token,
 * and each subgraph's part all-or-nothing when the header is forwarded.
 */
import { readCommittedSupergraph } from '../lib/composition';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadKeySource } from '../lib/auth/key-source';
import { PART2_REDISCLOSURE_NOTICE } from '../subgraphs/counseling/policy';
import { RunningRouter, startHiveGateway } from '../routers/hive-gateway';
import { TestStack, operation, postGraphQL, startTestStack } from './support/stack';
import { JUDGE, PROBATION_OFFICER, authHeader } from './support/tokens';

let stack: TestStack;
let plain: RunningRouter;
let configured: RunningRouter;

beforeAll(async () => {
  stack = await startTestStack({ cases: 3 });
  const common = { supergraphSdl: readCommittedSupergraph(), subgraphUrls: stack.subgraphUrls, host: '127.0.0.1', port: 0 };
  plain = await startHiveGateway(common);
  configured = await startHiveGateway({ ...common, verify: createVerifier(authSettings(await loadKeySource())), allOrNothing: true });
});

afterAll(async () => {
  await plain?.close();
  await configured?.close();
  await stack?.stop();
});

const ENROLLMENTS = 'query($id: ID!) { case(id: $id) { docketNumber programEnrollments { id redisclosureNotice programType status sessions { attendance } } } }';
const WITHOUT_NOTICE = 'query($id: ID!) { case(id: $id) { docketNumber programEnrollments { id programType status } } }';

const sud = (result: any) => result.data.case.programEnrollments.find((e: any) => e.redisclosureNotice || e.programType === null);

/** Counseling's disclosure-log rows of the request the router sent (its X-Request-Id), by outcome. */
async function counselingLog(outcome: string): Promise<{ coordinates: string[]; reason: string | null; request_id: string }[]> {
  return stack.databases.counseling.query(`SELECT coordinates, reason, request_id FROM disclosure_log WHERE outcome = $1 ORDER BY seq`, [outcome]);
}

describe.each([
  ['forwarding headers only', () => plain],
  ['with the 401 and all-or-nothing plugins', () => configured],
])('Hive Gateway %s', (_name, router) => {
  it('answers the same data as this project’s gateway', async () => {
    const asked = async (url: string) => postGraphQL(url, operation('WholeCase'), { id: stack.demoCaseId }, await authHeader(JUDGE));
    const [ours, theirs] = await Promise.all([asked(stack.gatewayUrl), asked(router().url)]);
    expect(theirs.data).toEqual(ours.data);
  });

  it('delivers the redisclosure notice in the data of the Part 2 record', async () => {
    const result = await postGraphQL<any>(router().url, ENROLLMENTS, { id: stack.demoCaseId }, await authHeader(PROBATION_OFFICER));
    expect(result.errors).toBeUndefined();
    const record = sud(result);
    expect(record).toMatchObject({ programType: 'SUBSTANCE_USE_TREATMENT', redisclosureNotice: PART2_REDISCLOSURE_NOTICE });
    expect(record.sessions.length).toBeGreaterThan(0);
    // The subgraph logged the release, with the notice among what went, under the router's request id.
    const [row] = (await counselingLog('RELEASED')).filter((r) => r.coordinates.includes('ProgramEnrollment.programType') && r.coordinates.includes('ProgramEnrollment.redisclosureNotice')).slice(-1);
    expect(row.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('withholds the Part 2 record’s fields from a client that does not select the notice, and says why', async () => {
    const result = await postGraphQL<any>(router().url, WITHOUT_NOTICE, { id: stack.demoCaseId }, await authHeader(PROBATION_OFFICER));
    expect(result.data.case.docketNumber).toBe('DV-2026-000001');
    const record = sud(result);
    expect(record).toEqual({ id: expect.any(String), programType: null, status: null });
    const refusal = result.errors!.find((e) => e.extensions?.reason === 'NOTICE_NOT_SELECTED')!;
    expect(refusal.message).toMatch(/^ProgramEnrollment\.(programType|status) withheld: .*select redisclosureNotice on the record/);
    expect(refusal.extensions).toMatchObject({ code: 'FORBIDDEN' });
    // The other enrollment (not Part 2) arrives whole.
    expect(result.data.case.programEnrollments.find((e: any) => e.programType === 'BATTERER_INTERVENTION')).toBeDefined();
  });

  it('passes a refused field’s reason through', async () => {
    const result = await postGraphQL<any>(router().url, 'query($id: ID!) { case(id: $id) { parties { role person { id housingStatus } } } }', { id: stack.demoCaseId }, await authHeader(JUDGE));
    const refusal = result.errors!.find((e) => e.extensions?.coordinate === 'Person.housingStatus')!;
    expect(refusal.message).toMatch(/^Person\.housingStatus withheld: /);
    expect(refusal.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'RECORD_WITHHELD' });
    expect(result.data.case.parties.map((p: any) => p.person.housingStatus)).toContain(null);
  });

  it('refuses an unauthenticated request with nothing disclosed', async () => {
    const logged = async () => (await Promise.all(Object.values(stack.databases).map((db) => db.query('SELECT count(*)::int AS n FROM disclosure_log')))).map((r) => r[0].n);
    const before = await logged();
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
      const result = await postGraphQL<any>(router().url, operation('WholeCase'), { id: stack.demoCaseId }, headers);
      expect(JSON.stringify(result)).not.toContain('DV-2026-000001');
      expect(result.errors!.length).toBeGreaterThan(0);
      for (const e of result.errors!) expect(e).toMatchObject({ message: expect.stringMatching(/^Unauthenticated: /), extensions: { code: 'UNAUTHENTICATED' } });
      if (router() === configured) {
        // Refused by the router before planning.
        expect(result.status).toBe(401);
        expect(result.data).toBeUndefined();
      } else {
        // Refused by the subgraph the plan starts with; the router answers 200.
        expect(result.status).toBe(200);
        expect(result.data).toEqual({ case: null });
        expect(result.errors![0].extensions).toMatchObject({ serviceName: 'courts' });
      }
    }
    // Nobody verified: nothing released, nothing logged.
    expect(await logged()).toEqual(before);
  });
});

describe('all or nothing behind Hive Gateway', () => {
  it('forwarding headers only: each subgraph that withheld something answers no data for its part, with ALL_OR_NOTHING', async () => {
    const result = await postGraphQL<any>(plain.url, ENROLLMENTS.replace('sessions { attendance }', 'progressReports { summary }'), { id: stack.demoCaseId }, {
      ...(await authHeader(PROBATION_OFFICER)),
      'x-withheld-fields': 'fail',
    });
    // Counseling withheld the reports' summaries (owner-only): its part is gone; the court's part had nothing withheld.
    expect(result.data.case.programEnrollments).toBeNull();
    const summary = result.errors!.find((e) => e.extensions?.reason === 'ALL_OR_NOTHING')!;
    expect(summary.extensions).toMatchObject({ code: 'FORBIDDEN', serviceName: 'counseling', withheld: ['ProgressReport.summary'] });
    // The refusals' reasons are folded into it (one error per entity: Hive masks an entity's several errors as "Unexpected error.").
    expect(summary.extensions!.refusals[0]).toMatchObject({ message: expect.stringMatching(/^ProgressReport\.summary withheld: only counseling sees this field/), extensions: { reason: 'OWNER_ONLY' } });
    // Nothing of counseling's was released, so nothing was logged as released.
    const released = await counselingLog('RELEASED');
    const denied = await counselingLog('DENIED');
    const request = denied.filter((r) => r.coordinates.includes('ProgressReport.summary')).slice(-1)[0].request_id;
    expect(released.filter((r) => r.request_id === request)).toEqual([]);
  });

  it('with the plugin: no data at all when anything was withheld, and the data when nothing was', async () => {
    const ask = async (query: string) =>
      postGraphQL<any>(configured.url, query, { id: stack.demoCaseId }, { ...(await authHeader(JUDGE)), 'x-withheld-fields': 'fail' });
    const strict = await ask(operation('WholeCase'));
    expect(strict.data).toBeNull();
    expect(strict.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ALL_OR_NOTHING' });
    expect(strict.errors?.[0].extensions?.withheld).toContain('Case.shelterStays');
    const complete = await ask('query($id: ID!) { case(id: $id) { docketNumber } }');
    expect(complete.errors).toBeUndefined();
    expect(complete.data.case.docketNumber).toBe('DV-2026-000001');
  });

  it('with the plugin: 401 before anything is planned or fetched', async () => {
    const result = await postGraphQL<any>(configured.url, operation('WholeCase'), { id: stack.demoCaseId }, { authorization: 'Bearer not-a-token' });
    expect(result.status).toBe(401);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
