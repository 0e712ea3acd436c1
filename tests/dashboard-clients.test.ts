/**
 * What a dashboard developer gets from the common GraphQL clients — the real Apollo Client (core,
 * no React), urql (@urql/core) and graphql-request — asking the demo case as a judge, whose answer
 * has fields the agreements withhold. In the default response form (refusals in `errors`) the
 * documented settings keep the allowed data and expose each refusal; Apollo Client's and
 * graphql-request's defaults lose the data (the pitfall the README warns about). In the
 * `X-Withheld-Fields: extensions` form the same data arrives with default client settings, and the
 * withheld fields are listed in `extensions.withheld`. README: "For dashboard developers".
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { map } from 'rxjs';
import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { RunningServer } from '../lib/http-server';
import { authSettings, createVerifier } from '../lib/auth/identity';
import { loadVerificationKeys } from '../lib/auth/keys';
import { startGateway } from '../gateway/gateway';
import { GqlResult, TestStack, operation, postGraphQL, startTestStack } from './support/stack';
import { JUDGE, tokenFor } from './support/tokens';

const WHOLE_CASE = operation('WholeCase');
let stack: TestStack;
let judge: Record<string, string>;
/** The gateway's own answer in the default form: the judge's allowed data and refusals. */
let reference: GqlResult<any>;
let refusals: Refusal[];

beforeAll(async () => {
  stack = await startTestStack({ cases: 3 });
  judge = { authorization: `Bearer ${await tokenFor(JUDGE)}` };
  reference = await postGraphQL(stack.gatewayUrl, WHOLE_CASE, { id: stack.demoCaseId }, judge);
  refusals = byPath(reference.errors ?? []);
});
afterAll(() => stack?.stop());

/** The data without the `__typename`s Apollo Client adds to every selection. */
function withoutTypename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypename);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '__typename').map(([k, v]) => [k, withoutTypename(v)]));
  }
  return value;
}

type Refusal = { path?: readonly (string | number)[]; coordinate?: unknown; reason?: unknown; message: string };

/**
 * Refusals as path, coordinate, reason, message, in path order: the agencies answer in parallel,
 * so the order of the errors (and of the list) follows whichever answered first.
 */
function byPath(list: readonly { path?: readonly (string | number)[]; message: string; extensions?: any; coordinate?: unknown; reason?: unknown }[]): Refusal[] {
  return list
    .map((e) => ({ path: e.path, coordinate: e.coordinate ?? e.extensions?.coordinate, reason: e.reason ?? e.extensions?.reason, message: e.message }))
    .sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
}

function at(data: any, path: readonly (string | number)[] = []): unknown {
  return path.reduce((node, key) => (node == null ? node : node[key]), data);
}

describe('the demo case as a judge (the gateway itself)', () => {
  it('has allowed data and withheld fields, each refusal a FORBIDDEN error with path, coordinate and reason', () => {
    expect(reference.status).toBe(200);
    expect(reference.data.case.docketNumber).toBe('DV-2026-000001');
    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) {
      expect(refusal.path?.length).toBeGreaterThan(1);
      expect(refusal.coordinate).toMatch(/^\w+\.\w+$/);
      expect(refusal.reason).toMatch(/^[A-Z_]+$/);
      expect(at(reference.data, refusal.path)).toBeNull();
    }
  });

  it('in the extensions form: the same data, no errors, the same refusals listed in extensions.withheld', async () => {
    const listed = await postGraphQL<any>(stack.gatewayUrl, WHOLE_CASE, { id: stack.demoCaseId }, { ...judge, 'x-withheld-fields': 'extensions' });
    expect(listed.status).toBe(200);
    expect(listed.errors).toBeUndefined();
    expect(listed.data).toEqual(reference.data);
    expect(byPath((listed as any).extensions.withheld)).toEqual(refusals);
  });

  it('refuses an X-Withheld-Fields it does not know, naming it, before running anything', async () => {
    const answer = await postGraphQL<any>(stack.gatewayUrl, WHOLE_CASE, { id: stack.demoCaseId }, { ...judge, 'x-withheld-fields': 'hide' });
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.errors![0].message).toBe('X-Withheld-Fields must be one of errors, fail, compact, extensions, got "hide"');
  });

  it('keeps a refused mutation in errors in the extensions form: the caller must see nothing was done', async () => {
    const answer = await postGraphQL<any>(
      stack.gatewayUrl,
      'mutation($input: RecordSessionAttendanceInput!) { recordSessionAttendance(input: $input) { id } }',
      { input: { enrollmentId: stack.demoCaseId, sessionDate: '2026-11-20', format: 'INDIVIDUAL', attendance: 'ATTENDED' } },
      { ...judge, 'x-withheld-fields': 'extensions' },
    );
    expect(answer.data.recordSessionAttendance).toBeNull();
    expect(answer.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect((answer as any).extensions?.withheld).toBeUndefined();
  });

  describe('with an agency down', () => {
    let gateway: RunningServer;
    beforeAll(async () => {
      gateway = await startGateway({
        subgraphUrls: { ...stack.subgraphUrls, probation: 'http://127.0.0.1:9/graphql' },
        host: '127.0.0.1',
        port: 0,
        timeoutMs: 5_000,
        verify: createVerifier(authSettings(await loadVerificationKeys())),
      });
    });
    afterAll(() => gateway?.close());

    it('keeps real errors in errors in the extensions form, and lists only refusals as withheld', async () => {
      const answer = await postGraphQL<any>(gateway.url, WHOLE_CASE, { id: stack.demoCaseId }, { ...judge, 'x-withheld-fields': 'extensions' });
      expect(answer.data.case.docketNumber).toBe('DV-2026-000001');
      expect(answer.errors!.length).toBeGreaterThan(0);
      expect(answer.errors!.every((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE' && e.extensions.serviceName === 'probation')).toBe(true);
      const withheld = (answer as any).extensions.withheld as { coordinate: string }[];
      expect(withheld.length).toBeGreaterThan(0);
      expect(withheld.every((w) => !w.coordinate.startsWith('Supervision'))).toBe(true);
    });
  });
});

describe('Apollo Client', () => {
  const query = gql(WHOLE_CASE);
  const client = (headers: Record<string, string>, link?: ApolloLink) =>
    new ApolloClient({ cache: new InMemoryCache(), link: ApolloLink.from([...(link ? [link] : []), new HttpLink({ uri: stack.gatewayUrl, headers })]) });

  it('with its default errorPolicy ("none") and the default form, throws on the refusals and the screen gets no data (the pitfall)', async () => {
    const failure = await client(judge).query({ query, variables: { id: stack.demoCaseId } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(CombinedGraphQLErrors.is(failure)).toBe(true);
    expect((failure as CombinedGraphQLErrors).errors).toHaveLength(refusals.length);
    // The allowed data is on the error only as the raw response: no cache, no typed result.
    expect((failure as CombinedGraphQLErrors).data).toBeDefined();
  });

  it('with errorPolicy "all" and the default form, keeps the allowed data and tells withheld from empty', async () => {
    const result = await client(judge).query({ query, variables: { id: stack.demoCaseId }, errorPolicy: 'all' });
    expect(withoutTypename(result.data)).toEqual(reference.data);
    expect(CombinedGraphQLErrors.is(result.error)).toBe(true);
    const errors = (result.error as CombinedGraphQLErrors).errors;
    expect(byPath(errors)).toEqual(refusals);
    // Withheld: null with an error at its path. No value: null with none.
    const withheldPaths = new Set(errors.map((e) => JSON.stringify(e.path)));
    for (const refusal of refusals) expect(at(result.data, refusal.path)).toBeNull();
    const noValue = ['case', 'programEnrollments', 0, 'dischargeDate'];
    expect(at(result.data, noValue)).toBeNull();
    expect(withheldPaths.has(JSON.stringify(noValue))).toBe(false);
  });

  it('with default settings and the extensions form, renders the allowed data; a link reads the withheld list', async () => {
    let withheld: unknown;
    const readWithheld = new ApolloLink((op, forward) =>
      forward(op).pipe(
        map((result) => {
          withheld = result.extensions?.withheld;
          return result;
        }),
      ),
    );
    const result = await client({ ...judge, 'x-withheld-fields': 'extensions' }, readWithheld).query({ query, variables: { id: stack.demoCaseId } });
    expect(result.error).toBeUndefined();
    expect(withoutTypename(result.data)).toEqual(reference.data);
    expect(byPath(withheld as Refusal[])).toEqual(refusals);
  });
});

describe('urql', () => {
  const client = (headers: Record<string, string>) =>
    new Client({ url: stack.gatewayUrl, exchanges: [cacheExchange, fetchExchange], fetchOptions: { headers } });

  it('with default settings and the default form, keeps the data beside the refusals', async () => {
    const result = await client(judge).query(WHOLE_CASE, { id: stack.demoCaseId }).toPromise();
    expect(withoutTypename(result.data)).toEqual(reference.data);
    expect(byPath(result.error!.graphQLErrors)).toEqual(refusals);
  });

  it('with default settings and the extensions form, renders the allowed data and lists the withheld fields', async () => {
    const result = await client({ ...judge, 'x-withheld-fields': 'extensions' }).query(WHOLE_CASE, { id: stack.demoCaseId }).toPromise();
    expect(result.error).toBeUndefined();
    expect(withoutTypename(result.data)).toEqual(reference.data);
    expect(byPath(result.extensions?.withheld as Refusal[])).toEqual(refusals);
  });

  it('sends a short query as GET by default, which the gateway serves (the operation limits screen it too)', async () => {
    const sent: string[] = [];
    const graph = new Client({
      url: stack.gatewayUrl,
      exchanges: [fetchExchange],
      fetchOptions: { headers: judge },
      fetch: (input, init) => {
        sent.push(init?.method ?? 'GET');
        return fetch(input, init);
      },
    });
    const result = await graph.query('{ cases(first: 2) { nodes { docketNumber } } }', {}).toPromise();
    expect(sent).toEqual(['GET']);
    expect(result.error).toBeUndefined();
    expect(result.data.cases.nodes).toHaveLength(2);
  });
});

describe('graphql-request', () => {
  it('with its defaults and the default form, throws on the refusals (the data only on the error)', async () => {
    const failure = await new GraphQLClient(stack.gatewayUrl, { headers: judge }).request(WHOLE_CASE, { id: stack.demoCaseId }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ClientError);
    expect((failure as ClientError).response.errors).toHaveLength(refusals.length);
  });

  it('with errorPolicy "all", keeps the data and the refusals (rawRequest)', async () => {
    const result = await new GraphQLClient(stack.gatewayUrl, { headers: judge, errorPolicy: 'all' }).rawRequest<any>(WHOLE_CASE, { id: stack.demoCaseId });
    expect(result.data).toEqual(reference.data);
    expect(byPath(result.errors!)).toEqual(refusals);
  });

  it('with its defaults and the extensions form, returns the data; rawRequest has the withheld list', async () => {
    const graph = new GraphQLClient(stack.gatewayUrl, { headers: { ...judge, 'x-withheld-fields': 'extensions' } });
    expect(await graph.request(WHOLE_CASE, { id: stack.demoCaseId })).toEqual(reference.data);
    const raw = await graph.rawRequest<any, any>(WHOLE_CASE, { id: stack.demoCaseId });
    expect(byPath((raw.extensions as any).withheld)).toEqual(refusals);
  });
});
