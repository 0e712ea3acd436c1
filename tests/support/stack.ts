/**
 * The whole graph for a test file: real PostgreSQL when DATABASE_URL is set (CI), each test file
 * in databases of its own that it drops afterwards; the embedded database (in memory) otherwise.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SERVICES, ServiceName, databaseUrl } from '../../lib/config';
import { dropDatabase } from '../../lib/db';
import { dropRoles } from '../../lib/db-roles';
import { rolesForDatabaseUrl } from '../../lib/agency-database';
import { seedDemoData } from '../../lib/seed';
import { Stack, startStack } from '../../lib/stack';
import { PolicyExecutor } from '../../lib/policy/executor';
import { CLERK, Who, authHeader } from './tokens';
import { SettableClock, fixedClock } from '../../lib/clock';
import { Agreement } from '../../lib/policy/agreements';

/**
 * The tests' policy date: every stack runs on a fixed clock (noon on this day in the default
 * policy time zone), and the seed is drawn for it, so no test depends on the day it runs.
 */
export const TEST_TODAY = '2026-11-24';
export const testClock = (at = `${TEST_TODAY}T12:00`): SettableClock => fixedClock(at);

export interface TestStack extends Stack {
  clock: SettableClock;
  demoCaseId: string | null;
  /** POSTs an operation to the gateway (or another URL) and returns the parsed body. */
  /** POSTs as `as` (default: the owner of what is asked, the courts' clerk). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: { url?: string; headers?: Record<string, string>; as?: Who | null }): Promise<GqlResult<T>>;
}

export interface GqlResult<T> {
  status: number;
  /** The gateway's id of the request (response header X-Request-Id). */
  requestId?: string;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export function usesRealPostgres(): boolean {
  return Boolean(process.env.DATABASE_URL);
}

export function operation(name: string): string {
  return fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'operations', `${name}.graphql`), 'utf8');
}

export async function postGraphQL<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GqlResult<T>;
  const result: GqlResult<T> = { ...body, status: response.status };
  // Not enumerable: results are compared whole, and each request has its own id.
  Object.defineProperty(result, 'requestId', { value: response.headers.get('x-request-id') ?? undefined, enumerable: false });
  return result;
}

export async function startTestStack(options: { cases: number; policyExecutor?: PolicyExecutor; clock?: SettableClock; agreements?: Agreement[]; dashboardDir?: string }): Promise<TestStack> {
  const clock = options.clock ?? testClock();
  let databaseUrls: Record<ServiceName, string> | undefined;
  if (usesRealPostgres()) {
    const env = { DATABASE_URL: process.env.DATABASE_URL, DATABASE_PREFIX: `dvtest_${randomBytes(4).toString('hex')}_` };
    databaseUrls = Object.fromEntries(SERVICES.map((a) => [a, databaseUrl(a, env)!])) as Record<ServiceName, string>;
  }
  // Databases first (the owner roles own them), then the roles, which are cluster-wide; also
  // when the stack failed to start, so that a failed test run leaves nothing behind.
  const dropAll = async () => {
    if (!databaseUrls) return;
    const failures: unknown[] = [];
    for (const url of Object.values(databaseUrls)) {
      await dropDatabase(url).catch((e) => failures.push(e));
      await dropRoles(url, rolesForDatabaseUrl(url)).catch((e) => failures.push(e));
    }
    if (failures.length) throw failures[0];
  };
  let stack: Stack;
  let demoCaseId: string | null;
  try {
    stack = await startStack({
      databaseUrls,
      host: '127.0.0.1',
      gatewayPort: 0,
      subgraphPorts: { courts: 0, housing: 0, counseling: 0, probation: 0, outcomes: 0 },
      timeoutMs: 30_000,
      policyExecutor: options.policyExecutor,
      agreements: options.agreements,
      clock,
      dashboardDir: options.dashboardDir,
      // The shared test server allows 100 connections and the application roles, not being
      // superusers, cannot use the reserved ones: keep each test stack's pools small.
      poolSize: 4,
    });
  } catch (error) {
    await dropAll().catch(() => undefined);
    throw error;
  }
  try {
    demoCaseId = options.cases > 0 ? await seedDemoData(stack.databases, { cases: options.cases, today: clock.today() }) : null;
  } catch (error) {
    await stack.stop();
    await dropAll().catch(() => undefined);
    throw error;
  }
  return {
    ...stack,
    clock,
    demoCaseId,
    gql: async (query, variables, opts = {}) => {
      const auth = opts.as === null ? {} : await authHeader(opts.as ?? CLERK);
      return postGraphQL(opts.url ?? stack.gatewayUrl, query, variables, { ...auth, ...opts.headers });
    },
    stop: async () => {
      await stack.stop();
      await dropAll();
    },
  };
}
