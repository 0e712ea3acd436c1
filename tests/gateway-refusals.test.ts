/**
 * Refusals through the gateway: the gateway maps each subgraph refusal cheaply (no stack capture,
 * gateway/gateway.ts), and must still answer exactly what stock @apollo/gateway answers for the
 * same subgraphs: one error per withheld field, with its path, message and extensions
 * (code, coordinate, reason, agreements, serviceName). `X-Withheld-Fields: compact` groups them.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { AGENCIES, AgencyName } from '../lib/config';
import { readCommittedSupergraph } from '../lib/composition';
import { compactRefusals } from '../gateway/gateway';
import { TestStack, operation, startTestStack } from './support/stack';
import { JUDGE, PROBATION_OFFICER } from './support/tokens';

let stack: TestStack;
let stock: ApolloServer<{ authorization?: string }>;
let stockUrl: string;

beforeAll(async () => {
  stack = await startTestStack({ cases: 3 });
  // What a user writes from Apollo's documentation, in front of the same subgraphs.
  stock = new ApolloServer<{ authorization?: string }>({
    gateway: new ApolloGateway({
      supergraphSdl: readCommittedSupergraph(),
      buildService: ({ name }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url: stack.subgraphUrls[AGENCIES.find((a) => a === name) as AgencyName],
          willSendRequest({ request, context }) {
            if (context.authorization) request.http?.headers.set('authorization', context.authorization);
          },
        }),
    }),
    includeStacktraceInErrorResponses: false,
  });
  ({ url: stockUrl } = await startStandaloneServer(stock, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  }));
}, 120_000);

afterAll(async () => {
  await stock?.stop();
  await stack?.stop();
});

const CASES = [
  ['WholeCase', JUDGE],
  ['WholeCase', PROBATION_OFFICER],
  ['Caseload', JUDGE],
  ['Caseload', PROBATION_OFFICER],
] as const;

function variables(name: string): Record<string, unknown> {
  return name === 'WholeCase' ? { id: stack.demoCaseId } : { first: 3 };
}

describe('refusals through the gateway', () => {
  it.each(CASES)('%s as %o: the same data and the same refusals (path, message, extensions) as stock @apollo/gateway', async (name, who) => {
    const ours = await stack.gql(operation(name), variables(name), { as: who });
    const theirs = await stack.gql(operation(name), variables(name), { as: who, url: stockUrl });
    expect(ours.data).toEqual(theirs.data);
    expect(ours.errors?.length).toBeGreaterThan(0);
    // Parallel fetches answer in any order: the same errors, in the order of their paths.
    const inOrder = (errors: typeof ours.errors) => [...errors!].sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)) || a.message.localeCompare(b.message));
    expect(inOrder(ours.errors)).toEqual(inOrder(theirs.errors));
    for (const error of ours.errors!) {
      expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: expect.stringMatching(/^\w+\.\w+$/), reason: expect.any(String), serviceName: expect.any(String) });
      expect(error.path?.length).toBeGreaterThan(0);
      expect(error.message).toContain(`${error.extensions!.coordinate} withheld`);
    }
  });

  it.each(CASES)('%s as %o with X-Withheld-Fields: compact: the same data, every refusal once, grouped with its paths', async (name, who) => {
    const plain = await stack.gql(operation(name), variables(name), { as: who });
    const compact = await stack.gql(operation(name), variables(name), { as: who, headers: { 'x-withheld-fields': 'compact' } });
    expect(compact.data).toEqual(plain.data);
    const groups = compact.errors!;
    expect(groups.length).toBeLessThanOrEqual(plain.errors!.length);
    if (name === 'Caseload') expect(groups.length).toBeLessThan(plain.errors!.length);
    // Expanded again, the groups are the plain answer's refusals: the same set, each once.
    const expanded = groups.flatMap((g) => {
      const { paths, ...extensions } = g.extensions as { paths: (string | number)[][] };
      expect(g.path).toBeUndefined();
      return paths.map((path) => ({ message: g.message, path, extensions }));
    });
    const key = (e: { message: string; path?: readonly (string | number)[]; extensions?: unknown }) => JSON.stringify([e.message, e.path, e.extensions]);
    expect(expanded.map(key).sort()).toEqual(plain.errors!.map(key).sort());
    // One group per distinct refusal.
    expect(new Set(groups.map((g) => JSON.stringify([g.message, { ...g.extensions, paths: undefined }]))).size).toBe(groups.length);
  });
});

describe('compactRefusals', () => {
  it('groups refusals by message and extensions in order, and leaves other errors in place', () => {
    const refusal = (path: (string | number)[], coordinate = 'Case.shelterStays') => ({
      message: `${coordinate} withheld: no agreement.`,
      path,
      extensions: { code: 'FORBIDDEN', coordinate, reason: 'NO_AGREEMENT' },
    });
    const other = { message: 'The housing service is unavailable', path: ['cases'], extensions: { code: 'SUBGRAPH_UNAVAILABLE' } };
    const audit = { message: 'held back', path: ['x'], extensions: { code: 'AUDIT_UNAVAILABLE', coordinate: 'Case.x' } };
    expect(compactRefusals([refusal(['a', 0]), other, refusal(['a', 1], 'Person.dateOfBirth'), refusal(['a', 2]), audit])).toEqual([
      { message: 'Case.shelterStays withheld: no agreement.', extensions: { code: 'FORBIDDEN', coordinate: 'Case.shelterStays', reason: 'NO_AGREEMENT', paths: [['a', 0], ['a', 2]] } },
      other,
      { message: 'Person.dateOfBirth withheld: no agreement.', extensions: { code: 'FORBIDDEN', coordinate: 'Person.dateOfBirth', reason: 'NO_AGREEMENT', paths: [['a', 1]] } },
      { message: 'held back', extensions: { code: 'AUDIT_UNAVAILABLE', coordinate: 'Case.x', paths: [['x']] } },
    ]);
  });
});
