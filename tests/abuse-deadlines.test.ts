/**
 * Abuse suite, deadlines: a request that keeps a subgraph busy past its deadline, or whose caller
 * leaves, stops using the subgraph's CPU and database within a second or two, writes nothing to
 * the disclosure log, and the subgraph serves the next caller normally. Responses too large for
 * their caps are refused with RESPONSE_TOO_LARGE.
 *
 * The busy subgraph is the courts subgraph run as its own process (CPU read from /proc), fed a
 * query of nested fragment spreads that follows Case → programMandates → case twice per level:
 * ~2^LEVELS cases resolved from the loaders' cache, pure CPU. Its field cap is raised so that only
 * the deadline can stop it. (When operation limits land, they must be raised for this child too.)
 */
import { Client } from 'pg';
import { AGENCIES, AgencyName } from '../lib/config';
import { startGateway } from '../gateway/gateway';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadVerificationKeys } from '../lib/auth/keys';
import { ChildSubgraph, cpuMeasurable, cpuMs, startChildSubgraph } from './support/child-subgraph';
import { TestStack, postGraphQL, startTestStack, usesRealPostgres } from './support/stack';
import { CLERK, PROBATION_OFFICER, authHeader } from './support/tokens';
import { LIFTED_OPERATION_LIMITS, liftOperationLimits } from './support/limits';

const LEVELS = 24;

/** Case → programMandates → case, two aliases per level, through named fragments. */
function busyQuery(levels = LEVELS): string {
  const fragments = [];
  for (let i = 0; i < levels; i++) {
    fragments.push(`fragment F${i} on Case { id docketNumber status a: programMandates { id case { ...F${i + 1} } } b: programMandates { id case { ...F${i + 1} } } }`);
  }
  fragments.push(`fragment F${levels} on Case { id docketNumber }`);
  return `query Busy($id: ID!) { case(id: $id) { ...F0 } }\n${fragments.join('\n')}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `settleMs`, then returns the CPU (ms) the process used over the next `windowMs`. */
async function cpuOver(pid: number, settleMs: number, windowMs: number): Promise<number> {
  await sleep(settleMs);
  const before = cpuMs(pid);
  await sleep(windowMs);
  return cpuMs(pid) - before;
}

/** Time (ms from `from`) until the process used under 10% of a CPU over 200 ms. */
async function timeToIdle(pid: number, from: number, limitMs = 5_000): Promise<number> {
  for (;;) {
    const before = cpuMs(pid);
    await sleep(200);
    if (cpuMs(pid) - before <= 20) return Date.now() - 200 - from;
    if (Date.now() - from > limitMs) return Infinity;
  }
}

let stack: TestStack;
let courts: ChildSubgraph;
let caseId: string;
const figures: Record<string, number> = {};

let restoreLimits: () => void;

beforeAll(async () => {
  // The busy query is far beyond the operation limits; here the deadline is the guard under test.
  restoreLimits = liftOperationLimits();
  stack = await startTestStack({ cases: 12 });
  const [row] = await stack.databases.courts.query('SELECT case_id AS "caseId" FROM program_mandate ORDER BY case_id LIMIT 1');
  caseId = row.caseId;
  courts = await startChildSubgraph('courts', stack.databaseUrls.courts, {
    ...LIFTED_OPERATION_LIMITS,
    SUBGRAPH_REQUEST_TIMEOUT_MS: '20000',
    MAX_RESPONSE_FIELDS: '1000000000',
  });
}, 180_000);

afterAll(async () => {
  await courts?.stop();
  await stack?.stop();
  restoreLimits?.();
  // For the closing note of issue 7.
  if (Object.keys(figures).length) console.log(`deadline figures: ${JSON.stringify(figures)}`);
});

afterEach(() => {
  delete process.env.REQUEST_TIMEOUT_MS;
  delete process.env.MAX_RESPONSE_FIELDS;
  delete process.env.SUBGRAPH_REQUEST_TIMEOUT_MS;
});

async function askCourtsDirectly(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}, signal?: AbortSignal) {
  const response = await fetch(courts.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await authHeader(CLERK)), ...headers },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  return { status: response.status, ...((await response.json()) as { data?: any; errors?: any[] }) };
}

const NORMAL = 'query Normal($id: ID!) { case(id: $id) { id docketNumber programMandates { id programType } } }';

describe('a subgraph held busy past its deadline', () => {
  (cpuMeasurable() ? it : it.skip)('stops using CPU within a second or two of the deadline, and serves the next caller normally', async () => {
    const started = Date.now();
    const result = await askCourtsDirectly(busyQuery(), { id: caseId }, { 'x-deadline-ms': '1500' });
    const answeredAfter = Date.now() - started;
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ extensions: { code: 'DEADLINE_EXCEEDED' } })]);
    expect(result.errors![0].message).toMatch(/deadline of 1500 ms/);
    expect(JSON.stringify(result)).not.toMatch(/stack|SELECT|http:/i);
    // The answer comes at the deadline, not when the work would have ended (minutes).
    expect(answeredAfter).toBeLessThan(8_000);
    const deadlineAt = started + 1500;
    figures.answeredAfterMs = answeredAfter;
    figures.busyIdleMsAfterDeadline = await timeToIdle(courts.pid, deadlineAt);
    const used = await cpuOver(courts.pid, 0, 2_000);
    figures.busyCpuMsIn2sAfterStop = used;
    // A busy process would use ~2000 ms here; an idle one a few ticks (the machine is shared: a margin).
    expect(used).toBeLessThan(600);

    const next = await askCourtsDirectly(NORMAL, { id: caseId });
    expect(next.errors).toBeUndefined();
    expect(next.data.case).toMatchObject({ id: caseId });
  });

  (cpuMeasurable() ? it : it.skip)('stops when its caller disconnects mid-request', async () => {
    const controller = new AbortController();
    const pending = askCourtsDirectly(busyQuery(), { id: caseId }, { 'x-deadline-ms': '20000' }, controller.signal).catch((e: Error) => e);
    await sleep(1_000);
    const busy = await cpuOver(courts.pid, 0, 300);
    // Really busy before the caller leaves (else this test would prove nothing).
    expect(busy).toBeGreaterThanOrEqual(60);
    const leftAt = Date.now();
    controller.abort();
    expect((await pending as Error).name).toBe('AbortError');
    figures.disconnectStopMs = await timeToIdle(courts.pid, leftAt);
    const used = await cpuOver(courts.pid, 1_000, 2_000);
    figures.disconnectCpuMsIn2sAfter1s = used;
    expect(used).toBeLessThan(600);
    const next = await askCourtsDirectly(NORMAL, { id: caseId });
    expect(next.data.case).toMatchObject({ id: caseId });
  });

  it('holds a direct caller to the subgraph’s own maximum, whatever deadline it sends', async () => {
    process.env.SUBGRAPH_REQUEST_TIMEOUT_MS = '1000';
    const started = Date.now();
    const result = await postGraphQL(stack.subgraphUrls.courts, busyQuery(16), { id: caseId }, { ...(await authHeader(CLERK)), 'x-deadline-ms': '999999999' });
    expect(result.errors?.[0]?.extensions?.code).toBe('DEADLINE_EXCEEDED');
    expect(result.errors?.[0]?.message).toMatch(/deadline of 1000 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('PostgreSQL statements of a stopped request', () => {
  const realOnly = usesRealPostgres() ? it : it.skip;
  let locker: Client;

  async function lockHearings(): Promise<void> {
    locker = new Client({ connectionString: stack.databaseUrls.courts });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE hearing IN ACCESS EXCLUSIVE MODE');
  }

  async function release(): Promise<void> {
    await locker.query('ROLLBACK');
    await locker.end();
  }

  /** Statements of the courts subgraphs waiting on the test's lock. */
  async function waitingOnLock(): Promise<number> {
    const rows = await locker.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
    );
    return rows.rows[0].n;
  }

  async function untilNoneWaiting(from: number, limitMs = 5_000): Promise<number> {
    for (;;) {
      if ((await waitingOnLock()) === 0) return Date.now() - from;
      if (Date.now() - from > limitMs) return Infinity;
      await sleep(50);
    }
  }

  const HEARINGS = 'query H($id: ID!) { case(id: $id) { id docketNumber hearings { id } } }';

  realOnly('every agency connection has a statement_timeout', async () => {
    for (const agency of AGENCIES) {
      const [row] = await stack.databases[agency as AgencyName].query('SHOW statement_timeout');
      expect(row.statement_timeout).toBe('30s');
    }
  });

  realOnly('are cancelled when the gateway’s deadline passes; nothing is logged; the next caller is served', async () => {
    process.env.REQUEST_TIMEOUT_MS = '1500';
    await lockHearings();
    try {
      const [{ n: logged }] = await stack.databases.courts.query('SELECT count(*)::int AS n FROM disclosure_log');
      const started = Date.now();
      // Another agency's caller: what courts releases to probation is logged, when it is sent.
      const result = await stack.gql(HEARINGS, { id: caseId }, { as: PROBATION_OFFICER });
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'DEADLINE_EXCEEDED', serviceName: 'courts' });
      expect(JSON.stringify(result)).not.toMatch(/SELECT|http:|stack/i);
      const deadlineAt = started + 1500;
      const cancelledAfter = await untilNoneWaiting(deadlineAt);
      figures.statementCancelledMsAfterDeadline = cancelledAfter;
      expect(cancelledAfter).toBeLessThan(3_000);
      // The subgraph's answer (docketNumber released to probation) was never sent: nothing logged.
      await sleep(300);
      const [{ n: after }] = await stack.databases.courts.query('SELECT count(*)::int AS n FROM disclosure_log');
      expect(after).toBe(logged);
    } finally {
      await release();
    }
    delete process.env.REQUEST_TIMEOUT_MS;
    const next = await stack.gql(HEARINGS, { id: caseId }, { as: PROBATION_OFFICER });
    expect(next.data.case).toMatchObject({ id: caseId });
    expect(next.errors?.some((e) => e.extensions?.code === 'DEADLINE_EXCEEDED')).toBeFalsy();
  });

  realOnly('are cancelled when the client disconnects from the gateway', async () => {
    process.env.REQUEST_TIMEOUT_MS = '20000';
    await lockHearings();
    try {
      const controller = new AbortController();
      const pending = fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await authHeader(CLERK)) },
        body: JSON.stringify({ query: HEARINGS, variables: { id: caseId } }),
        signal: controller.signal,
      }).catch((e: Error) => e);
      const waitStarted = Date.now();
      while ((await waitingOnLock()) === 0 && Date.now() - waitStarted < 5_000) await sleep(50);
      expect(await waitingOnLock()).toBeGreaterThan(0);
      const leftAt = Date.now();
      controller.abort();
      await pending;
      const cancelledAfter = await untilNoneWaiting(leftAt);
      figures.statementCancelledMsAfterDisconnect = cancelledAfter;
      expect(cancelledAfter).toBeLessThan(3_000);
    } finally {
      await release();
    }
  });
});

describe('a response too large for its cap', () => {
  const CASES = '{ cases(first: 20) { nodes { id docketNumber status caseType } } }';

  it('is refused by the subgraph once it passes MAX_RESPONSE_FIELDS, directly and through the gateway', async () => {
    process.env.MAX_RESPONSE_FIELDS = '40';
    const direct = await postGraphQL(stack.subgraphUrls.courts, CASES, {}, await authHeader(CLERK));
    expect(direct.data).toBeNull();
    expect(direct.errors).toEqual([expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE' } })]);
    expect(direct.errors![0].message).toMatch(/more than 40 fields/);
    const through = await stack.gql(CASES);
    expect(through.data).toBeNull();
    expect(through.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
    delete process.env.MAX_RESPONSE_FIELDS;
    const normal = await stack.gql(CASES);
    expect(normal.data.cases.nodes).toHaveLength(12);
  });

  it('is refused by the gateway while reading a subgraph answer over MAX_SUBGRAPH_RESPONSE_BYTES', async () => {
    const verify = createVerifier(authSettings(await loadVerificationKeys()));
    const gateway = await startGateway({ subgraphUrls: stack.subgraphUrls, host: '127.0.0.1', port: 0, timeoutMs: 30_000, maxSubgraphResponseBytes: 1_000, verify });
    try {
      const result = await postGraphQL<any>(gateway.url, CASES, {}, await authHeader(CLERK));
      expect(result.data).toBeNull();
      expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'RESPONSE_TOO_LARGE', serviceName: 'courts' } });
      expect(JSON.stringify(result)).not.toMatch(/http:|stack/i);
      const small = await postGraphQL<any>(gateway.url, '{ cases(first: 1) { nodes { id } } }', {}, await authHeader(CLERK));
      expect(small.data.cases.nodes).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });
});
