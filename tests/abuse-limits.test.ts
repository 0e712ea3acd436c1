/**
 * Abuse suite, operation limits: each attack class is refused with its own code, HTTP 400, in
 * bounded time, at the gateway and directly at every subgraph; nothing is written; no answer
 * carries a stack trace, SQL or a URL; and normal traffic is served while attacks arrive.
 * The shipped operations (and the subgraph operations the gateway plans for them) pass.
 */
import { AGENCIES, operationLimits } from '../lib/config';
import { startGateway } from '../gateway/gateway';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadVerificationKeys } from '../lib/auth/keys';
import { GqlResult, TestStack, operation, startTestStack } from './support/stack';
import { JUDGE, authHeader } from './support/tokens';

jest.setTimeout(240_000);

const LIMITS = operationLimits({});
/** Generous: refusals take milliseconds; this only catches seconds-long work on a shared machine. */
const BOUNDED_MS = 5_000;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ cases: 520 });
});

afterAll(async () => {
  await stack?.stop();
});

/** The fragment all shipped operations share. */
const WHOLE_CASE_FRAGMENT = operation('WholeCase').slice(operation('WholeCase').indexOf('fragment WholeCaseFields'));

// ------------------------------------------------------------------ attack queries

/** Follows Case → programMandates → case → ... `levels` times. */
function deepCycle(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `programMandates { case { ${inner} } }`;
  return `query Deep($id: ID!) { case(id: $id) { ${inner} } }`;
}

/** The same depth reached through a chain of fragments (GHSA-224p-v68g-5g8f). */
function deepThroughFragments(fragments: number): string {
  const defs = [];
  for (let i = 0; i < fragments; i++) {
    defs.push(`fragment F${i} on Case { programMandates { case { ${i + 1 < fragments ? `...F${i + 1}` : 'id'} } } }`);
  }
  return `query DeepFragments($id: ID!) { case(id: $id) { ...F0 } } ${defs.join(' ')}`;
}

/** Nested fragments, each spreading the next `fanout` times: fanout^levels fields from a few hundred bytes. */
function spreadExplosion(levels: number, fanout: number): string {
  const defs = ['fragment E0 on Case { id docketNumber status }'];
  for (let i = 1; i <= levels; i++) defs.push(`fragment E${i} on Case { ${Array(fanout).fill(`...E${i - 1}`).join(' ')} }`);
  return `query Explode($id: ID!) { case(id: $id) { ...E${levels} } } ${defs.join(' ')}`;
}

/** Half of `count` aliases in a fragment spread twice: aliases are counted with fragments expanded. */
function typenameAliases(count: number): string {
  const half = Math.ceil(count / 2);
  return `query Aliases($id: ID) { case(id: $id) { ...A ...A } } fragment A on Case { ${Array.from({ length: half }, (_, i) => `a${i}: __typename`).join(' ')} }`;
}

function rootFields(count: number): string {
  return `query Roots { ${Array(count).fill('__typename').join(' ')} }`;
}

function directives(count: number): string {
  return `query Directives { __typename ${Array(count).fill('@skip(if: false)').join(' ')} }`;
}

function tokens(count: number): string {
  // `__typename` is one token each; the braces and the keyword are three more.
  return `query { ${Array(count).fill('__typename').join(' ')} }`;
}

/** `copies` aliases of a whole caseload page: within the field and alias limits, far over the cost budget. */
function costly(copies: number, first = 500): string {
  const pages = Array.from({ length: copies }, (_, i) => `p${i}: cases(first: ${first}) { nodes { ...WholeCaseFields } }`);
  return `query Costly { ${pages.join(' ')} } ${WHOLE_CASE_FRAGMENT}`;
}

/** Cost hidden behind introspection-shaped names (GHSA-733v-p3h5-qpq7): an operation and a fragment named `__schema`. */
function costlyDisguised(copies: number): string {
  const pages = Array.from({ length: copies }, (_, i) => `p${i}: cases(first: 500) { nodes { ...WholeCaseFields } }`);
  return `query __schema { ...__schema } fragment __schema on Query { ${pages.join(' ')} } ${WHOLE_CASE_FRAGMENT}`;
}

// ------------------------------------------------------------------ helpers

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** Raw POST, so the status and the exact text of the answer can be checked. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: GqlResult<any> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeader(JUDGE)), ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) };
}

/** Errors other than the agreements' withholdings (a judge is refused some agencies' fields): e.g. a subgraph's limit refusal. */
function unexpectedErrors(result: GqlResult<unknown>) {
  return (result.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
}

function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/); // stack frames
  expect(text).not.toMatch(/stacktrace/i);
  expect(text).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE)\b.+\b(FROM|INTO|SET)\b/i);
  expect(text).not.toMatch(/https?:\/\//);
}

const targets = (): [string, string][] => [['gateway', stack.gatewayUrl], ...AGENCIES.map((a): [string, string] => [a, stack.subgraphUrls[a]])];

async function expectRefused(url: string, query: string, code: string, variables: Record<string, unknown> = {}, operationName?: string) {
  const { result, ms } = await timed(() => post(url, { query, variables, operationName }));
  expect({ status: result.status, code: result.json.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code });
  expect(result.json.data ?? null).toBeNull();
  expect(ms).toBeLessThan(BOUNDED_MS);
  expectNoInternals(result.text);
  return result.json.errors![0];
}

// ------------------------------------------------------------------ the shipped operations pass

describe('the shipped operations run within the limits, at the gateway and in the subgraphs the gateway calls', () => {
  test('WholeCase', async () => {
    const result = await stack.gql(operation('WholeCase'), { id: stack.demoCaseId }, { as: JUDGE });
    expect(unexpectedErrors(result)).toEqual([]);
    expect(result.data.case.id).toBe(stack.demoCaseId);
  });

  test.each([1, 50, 500])('Caseload with first: %i', async (first) => {
    const result = await stack.gql(operation('Caseload'), { first }, { as: JUDGE });
    expect(unexpectedErrors(result)).toEqual([]);
    expect(result.status).toBe(200);
    expect(result.data.cases.nodes).toHaveLength(first);
  });

  test('dashboard-shaped queries of the other tests', async () => {
    const dashboard = `query Dashboard($id: ID!) {
      case(id: $id) { id docketNumber status parties { role person { id givenName familyName housingStatus } }
        supervisions { id level status currentRiskLevel checkIns { checkInDate outcome } }
        programEnrollments { id status sessionsAttended sessions { sessionDate attendance } } }
      open: cases(first: 25, status: OPEN) { nodes { id docketNumber } pageInfo { hasNextPage endCursor } }
      closed: cases(first: 25, status: CLOSED) { nodes { id docketNumber } pageInfo { hasNextPage endCursor } }
    }`;
    const result = await stack.gql(dashboard, { id: stack.demoCaseId }, { as: JUDGE });
    expect(unexpectedErrors(result)).toEqual([]);
    expect(result.data.case.id).toBe(stack.demoCaseId);
  });
});

// ------------------------------------------------------------------ each class refused, everywhere

describe('each attack class is refused with its code, HTTP 400, in bounded time, at the gateway and at every subgraph', () => {
  test.each(['gateway', ...AGENCIES])('depth: a 40-level cycle of the schema (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const error = await expectRefused(url, deepCycle(20), 'OPERATION_TOO_DEEP', { id: stack.demoCaseId });
    expect(error.extensions).toMatchObject({ measured: 42, limit: LIMITS.maxDepth });
  });

  test.each(['gateway', ...AGENCIES])('depth through fragments (GHSA-224p-v68g-5g8f) (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    await expectRefused(url, deepThroughFragments(20), 'OPERATION_TOO_DEEP', { id: stack.demoCaseId });
  });

  test.each(['gateway', ...AGENCIES])('spread explosion: 7 levels of fragments, each spreading the next 6 times (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const error = await expectRefused(url, spreadExplosion(7, 6), 'OPERATION_TOO_MANY_FIELDS', { id: stack.demoCaseId });
    expect(error.extensions).toMatchObject({ measured: 1 + 3 * 6 ** 7, limit: LIMITS.maxFields });
  });

  test.each(['gateway', ...AGENCIES])('fragment cycle (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const query = 'query Cycle($id: ID!) { case(id: $id) { ...A } } fragment A on Case { programMandates { case { ...B } } } fragment B on Case { ...A }';
    await expectRefused(url, query, 'GRAPHQL_VALIDATION_FAILED', { id: stack.demoCaseId });
  });

  test.each(['gateway', ...AGENCIES])('aliases: __typename aliased beyond the limit (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const error = await expectRefused(url, typenameAliases(LIMITS.maxAliases + 1), 'OPERATION_TOO_MANY_ALIASES');
    expect(error.extensions).toMatchObject({ measured: 2 * Math.ceil((LIMITS.maxAliases + 1) / 2), limit: LIMITS.maxAliases });
  });

  test('aliases: 1000 aliases of one field are refused at once', async () => {
    const query = `query Many($id: ID!) { ${Array.from({ length: 1000 }, (_, i) => `a${i}: case(id: $id) { id }`).join(' ')} }`;
    const error = await expectRefused(stack.gatewayUrl, query, 'OPERATION_TOO_MANY_TOKENS', { id: stack.demoCaseId });
    expect(error.extensions!.limit).toBe(LIMITS.maxTokens);
  });

  test.each(['gateway', ...AGENCIES])('root fields (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const error = await expectRefused(url, rootFields(LIMITS.maxRootFields + 1), 'OPERATION_TOO_MANY_ROOT_FIELDS');
    expect(error.extensions).toMatchObject({ measured: LIMITS.maxRootFields + 1, limit: LIMITS.maxRootFields });
  });

  test.each(['gateway', ...AGENCIES])('directives (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const error = await expectRefused(url, directives(LIMITS.maxDirectives + 1), 'OPERATION_TOO_MANY_DIRECTIVES');
    expect(error.extensions).toMatchObject({ measured: LIMITS.maxDirectives + 1, limit: LIMITS.maxDirectives });
  });

  test.each(['gateway', ...AGENCIES])('tokens (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const error = await expectRefused(url, tokens(LIMITS.maxTokens), 'OPERATION_TOO_MANY_TOKENS');
    expect(error.extensions).toMatchObject({ measured: LIMITS.maxTokens + 3, limit: LIMITS.maxTokens });
  });

  test('cost: three aliases of a whole-case page of 500, at the gateway', async () => {
    const error = await expectRefused(stack.gatewayUrl, costly(3), 'OPERATION_TOO_COSTLY');
    expect(error.extensions!.limit).toBe(LIMITS.maxCost);
    expect(error.extensions!.measured).toBeGreaterThan(LIMITS.maxCost);
  });

  test('cost: one page far larger than any bound (first: 10,000,000), at the gateway and at courts', async () => {
    for (const url of [stack.gatewayUrl, stack.subgraphUrls.courts]) {
      await expectRefused(url, 'query Big { cases(first: 10000000) { nodes { id docketNumber } } }', 'OPERATION_TOO_COSTLY');
    }
  });

  test('cost hidden behind introspection-shaped names (GHSA-733v-p3h5-qpq7)', async () => {
    await expectRefused(stack.gatewayUrl, costlyDisguised(3), 'OPERATION_TOO_COSTLY');
  });

  test('cost of the first: argument comes from the variables, also for a document already seen', async () => {
    const query = operation('Caseload');
    const ok = await post(stack.gatewayUrl, { query, variables: { first: 2 } });
    expect(ok.status).toBe(200);
    const refused = await post(stack.gatewayUrl, { query, variables: { first: 1_000_000 } });
    expect(refused.status).toBe(400);
    expect(refused.json.errors?.[0]?.extensions?.code).toBe('OPERATION_TOO_COSTLY');
  });

  /** Within the field and alias limits; a few hundred per representation with the schema's list sizes. */
  const entitySelections: Record<string, string> = {
    courts: Array.from({ length: 4 }, (_, i) => `h${i}: hearings { id hearingType scheduledAt courtroom outcome }`).join(' '),
    housing: Array.from({ length: 8 }, (_, i) => `s${i}: shelterStays { id admittedDate exitedDate exitDestination status }`).join(' '),
    counseling: Array.from({ length: 2 }, (_, i) => `e${i}: programEnrollments { sessions { id } }`).join(' '),
    probation: Array.from({ length: 2 }, (_, i) => `s${i}: supervisions { checkIns { id } }`).join(' '),
  };

  test.each(AGENCIES)('cost of _entities counts each representation (%s)', async (agency) => {
    const representations = Array.from({ length: 30_000 }, (_, i) => ({ __typename: 'Case', id: String(i) }));
    const query = `query E($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Case { ${entitySelections[agency]} } } }`;
    const error = await expectRefused(stack.subgraphUrls[agency], query, 'OPERATION_TOO_COSTLY', { r: representations });
    expect(error.extensions!.measured).toBeGreaterThan(LIMITS.maxCost);
  });

  test.each(['gateway', ...AGENCIES])('who asks is decided first: without a valid token a pathological query is a 401 (%s)', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const { status, text } = await post(url, { query: spreadExplosion(7, 6), variables: { id: stack.demoCaseId } }, { authorization: 'Bearer nope' });
    expect(status).toBe(401);
    expect(text).not.toMatch(/OPERATION_/);
  });

  test('a refusal names no schema element', async () => {
    const texts = [deepCycle(20), spreadExplosion(7, 6), costly(3), typenameAliases(LIMITS.maxAliases + 1)];
    for (const query of texts) {
      const { json } = await post(stack.gatewayUrl, { query, variables: { id: stack.demoCaseId } });
      const message = json.errors![0].message;
      expect(message).not.toMatch(/programMandates|case|cases|Case|docketNumber|__typename|nodes|WholeCase/);
    }
  });
});

describe('the gateway passes a subgraph\'s limit refusal on', () => {
  test('code, measured value, limit and service, with no URL', async () => {
    // A gateway far looser than its subgraphs: the courts subgraph is the one that refuses.
    const loose = { ...LIMITS, maxCost: Number.MAX_SAFE_INTEGER };
    const verify = createVerifier(authSettings(await loadVerificationKeys()));
    const gateway = await startGateway({ subgraphUrls: stack.subgraphUrls, host: '127.0.0.1', port: 0, timeoutMs: 30_000, verify, limits: loose });
    try {
      const { status, text, json } = await post(gateway.url, { query: 'query Big { cases(first: 10000000) { nodes { id } } }' });
      expect(status).toBeLessThan(500);
      expect(json.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_TOO_COSTLY', limit: LIMITS.maxCost, serviceName: 'courts' });
      expect(json.errors![0].extensions!.measured).toBeGreaterThan(LIMITS.maxCost);
      expectNoInternals(text);
    } finally {
      await gateway.close();
    }
  });
});

// ------------------------------------------------------------------ operationName, schema hints

describe('an unknown operationName is a 400 naming the problem', () => {
  test.each(['gateway', ...AGENCIES])('%s', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const error = await expectRefused(url, 'query A { __typename } query B { __typename }', 'OPERATION_RESOLUTION_FAILURE', {}, 'Nope');
    expect(error.message).toMatch(/no operation named "Nope"/);
  });

  test('also for a document the server has already seen', async () => {
    const query = 'query Seen { __typename }';
    expect((await post(stack.gatewayUrl, { query })).status).toBe(200);
    const { status, json } = await post(stack.gatewayUrl, { query, operationName: 'Other' });
    expect(status).toBe(400);
    expect(json.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });
});

describe('no schema hints in any error', () => {
  const misspelled: Record<string, string> = {
    gateway: 'query { case(id: "x") { docketNumbr } }',
    courts: 'query { case(id: "x") { docketNumbr } }',
    housing: 'query { shelterz { id } }',
    counseling: 'query { _entities(representations: []) { ... on Case { programEnrolments { id } } } }',
    probation: 'query { _entities(representations: []) { ... on Case { supervision { id } } } }',
  };
  test.each(['gateway', ...AGENCIES])('%s', async (target) => {
    const url = Object.fromEntries(targets())[target];
    const { status, text } = await post(url, { query: misspelled[target] });
    expect(status).toBe(400);
    expect(text).toMatch(/GRAPHQL_VALIDATION_FAILED/);
    expect(text).not.toMatch(/Did you mean/i);
    expectNoInternals(text);
  });

  test('a misspelled argument or type gets no hint either', async () => {
    const { text } = await post(stack.gatewayUrl, { query: 'query ($id: IDD!) { caseByDocketNumbr(docketNumber: "x") { id } cases(frist: 2) { nodes { id } } }', variables: { id: 'x' } });
    expect(text).not.toMatch(/Did you mean/i);
  });
});

// ------------------------------------------------------------------ nothing written, traffic served

describe('a refused mutation writes nothing', () => {
  test.each(['gateway', 'courts'])('at %s', async (target) => {
    const url = target === 'gateway' ? stack.gatewayUrl : stack.subgraphUrls.courts;
    const count = async () => Number((await stack.databases.courts.query('SELECT count(*)::int AS n FROM person'))[0].n);
    const before = await count();
    const aliases = Array.from({ length: LIMITS.maxAliases + 1 }, (_, i) => `a${i}: id`).join(' ');
    await expectRefused(url, `mutation { registerPerson(input: { givenName: "Abuse", familyName: "Aliases" }) { ${aliases} } }`, 'OPERATION_TOO_MANY_ALIASES');
    const roots = Array.from({ length: LIMITS.maxRootFields + 1 }, () => 'registerPerson(input: { givenName: "Abuse", familyName: "Roots" }) { id }').join(' ');
    await expectRefused(url, `mutation { ${roots} }`, 'OPERATION_TOO_MANY_ROOT_FIELDS');
    expect(await count()).toBe(before);
  });
});

describe('normal traffic is served while pathological queries arrive', () => {
  test('/health and a judge query answer promptly during a burst of attacks at the gateway and courts', async () => {
    const attacks = [];
    for (let i = 0; i < 6; i++) {
      for (const url of [stack.gatewayUrl, stack.subgraphUrls.courts]) {
        attacks.push(post(url, { query: spreadExplosion(9, 8), variables: { id: stack.demoCaseId } }));
        attacks.push(post(url, { query: deepThroughFragments(200), variables: { id: stack.demoCaseId } }));
        attacks.push(post(url, { query: costly(3) }));
      }
    }
    const health = timed(() => fetch(stack.gatewayUrl.replace('/graphql', '/health')).then((r) => r.status));
    const judge = timed(() => stack.gql(operation('WholeCase'), { id: stack.demoCaseId }, { as: JUDGE }));
    const [h, j, refused] = await Promise.all([health, judge, Promise.all(attacks)]);
    expect(h.result).toBe(200);
    expect(h.ms).toBeLessThan(BOUNDED_MS);
    expect(unexpectedErrors(j.result)).toEqual([]);
    expect(j.result.data.case.id).toBe(stack.demoCaseId);
    expect(j.ms).toBeLessThan(BOUNDED_MS * 2);
    for (const r of refused) expect(r.status).toBe(400);
  });
});
