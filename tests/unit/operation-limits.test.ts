/**
 * The operation-limit analysis on its own: fragments expanded and memoized (linear in the
 * document), cost from the schema's `@listSize` bounds, and the settings' validation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { GraphQLError, parse } from 'graphql';
import { ConfigError, KNOWN_VARIABLES, OPERATION_LIMIT_VARIABLES, operationLimits } from '../../lib/config';
import { readListBounds } from '../../lib/list-bounds';
import { CostEstimate, OperationAnalysis, countTokens, enforceOperationLimits, selectOperation } from '../../lib/operation-limits';
import { OperationLimiter } from '../../lib/operation-limits-plugin';

const root = path.join(__dirname, '..', '..');
const supergraphSdl = fs.readFileSync(path.join(root, 'schema', 'supergraph.graphql'), 'utf8');
const apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
const bounds = readListBounds(supergraphSdl);
const LIMITS = operationLimits({});
const shipped = (name: string) => fs.readFileSync(path.join(root, 'schema', 'operations', `${name}.graphql`), 'utf8');

function shape(query: string) {
  const document = parse(query);
  return new OperationAnalysis(document, selectOperation(document, undefined)).shape();
}

function cost(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  return CostEstimate.of(document, selectOperation(document, undefined), apiSchema, bounds, variables);
}

function refusal(run: () => void): GraphQLError {
  try {
    run();
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('not refused');
}

describe('shape', () => {
  test('counts through fragments and inline fragments', () => {
    expect(shape('{ case(id: "1") { ...F ... on Case { a: id } } } fragment F on Case @include(if: true) { parties { person { id } } b: id }')).toEqual({
      depth: 4,
      aliases: 2,
      rootFields: 1,
      directives: 1,
      fields: 6,
    });
  });

  test('a spread explosion is counted, not expanded: 40 levels of 10 spreads in milliseconds', () => {
    const defs = ['fragment E0 on Case { id }'];
    for (let i = 1; i <= 40; i++) defs.push(`fragment E${i} on Case { ${Array(10).fill(`...E${i - 1}`).join(' ')} }`);
    const started = performance.now();
    const measured = shape(`{ case(id: "1") { ...E40 } } ${defs.join(' ')}`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(measured.fields).toBeGreaterThanOrEqual(1e39);
    expect(measured.depth).toBe(2);
  });

  test('root fields are counted through fragments at the root', () => {
    expect(shape('{ ...R __typename } fragment R on Query { a: __typename b: __typename }').rootFields).toBe(3);
  });

  test('a fragment cycle is refused, not followed', () => {
    const error = refusal(() => shape('{ case(id: "1") { ...A } } fragment A on Case { ...B } fragment B on Case { parties { person { id } } ...A }'));
    expect(error.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test('the shipped operations', () => {
    for (const name of ['WholeCase', 'Caseload']) {
      const measured = shape(shipped(name));
      expect(measured.depth).toBeLessThanOrEqual(LIMITS.maxDepth);
      expect(measured.fields).toBeLessThanOrEqual(LIMITS.maxFields);
      expect(countTokens(shipped(name))!).toBeLessThanOrEqual(LIMITS.maxTokens);
    }
  });
});

describe('cost', () => {
  test('the list bounds come from the supergraph (the subgraphs\' @listSize, composed)', () => {
    expect(bounds.get('Query.cases')).toMatchObject({ slicingArguments: ['first'], sizedFields: ['nodes'] });
    expect(bounds.get('Supervision.checkIns')).toMatchObject({ assumedSize: 60 });
  });

  test('a slicing argument sizes the connection\'s nodes, from a literal or a variable', () => {
    const q = 'query ($n: Int!) { cases(first: $n) { nodes { id } pageInfo { hasNextPage } } }';
    // cases 1 + nodes (1 + n × id) + pageInfo (1 + 1)
    expect(cost(q, { n: 10 })).toBe(1 + (1 + 10) + 2);
    expect(cost(q, { n: 500 })).toBe(1 + (1 + 500) + 2);
    expect(cost('{ cases(first: 7) { nodes { id } } }')).toBe(1 + 1 + 7);
  });

  test('nested lists multiply by their assumed sizes', () => {
    // case 1 + (supervisions 1 + 3 × (checkIns 1 + 60 × id 1))
    expect(cost('{ case(id: "1") { supervisions { checkIns { id } } } }')).toBe(1 + 1 + 3 * (1 + 60));
  });

  test('__typename and introspection fields cost like any other field, whatever the operation or fragments are called', () => {
    expect(cost('{ a: __typename b: __typename c: __typename }')).toBe(3);
    const hidden = cost('query __schema { ...__schema } fragment __schema on Query { cases(first: 500) { nodes { id } } }');
    expect(hidden).toBe(cost('{ cases(first: 500) { nodes { id } } }'));
    expect(cost('{ __schema { types { fields { name } } } }')).toBe(1 + 1 + 10 * (1 + 10));
  });

  test('the shipped Caseload of 500 fits the budget twice, not three times', () => {
    const one = cost(shipped('Caseload'), { first: 500 });
    expect(2 * one).toBeLessThanOrEqual(LIMITS.maxCost);
    expect(3 * one).toBeGreaterThan(LIMITS.maxCost);
  });

  test('_entities costs each representation by its own type', () => {
    const probationSdl = fs.readFileSync(path.join(root, 'subgraphs', 'probation', 'schema.graphql'), 'utf8');
    const document = parse('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Case { supervisions { id } } ... on Person { id } } }');
    const { buildSubgraphSchema } = require('@apollo/subgraph');
    const schema = buildSubgraphSchema({ typeDefs: parse(probationSdl), resolvers: {} });
    const reps = (n: number, t: string) => Array.from({ length: n }, (_, i) => ({ __typename: t, id: String(i) }));
    const at = (r: unknown[]) => CostEstimate.of(document, selectOperation(document, undefined), schema, readListBounds(probationSdl), { r });
    // _entities 1 + per Case (1 + 3 × 1) + per Person 1
    expect(at(reps(10, 'Case'))).toBe(1 + 10 * 4);
    expect(at([...reps(10, 'Case'), ...reps(5, 'Person')])).toBe(1 + 10 * 4 + 5);
  });
});

describe('refusals', () => {
  test('each carries its code, the measured value and the limit, and names no schema element', () => {
    const limits = { ...LIMITS, maxDepth: 3 };
    const error = refusal(() => enforceOperationLimits(parse('{ case(id: "1") { parties { person { id } } } }'), undefined, {}, limits, apiSchema, bounds));
    expect(error.extensions).toMatchObject({ code: 'OPERATION_TOO_DEEP', measured: 4, limit: 3, http: { status: 400 } });
    expect(error.message).not.toMatch(/case|parties|person|id/i);
  });

  test('an unknown or missing operationName', () => {
    const document = parse('query A { __typename } query B { __typename }');
    expect(refusal(() => selectOperation(document, 'C')).extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(refusal(() => selectOperation(document, undefined)).message).toMatch(/several operations/);
    expect(selectOperation(document, 'B').name?.value).toBe('B');
  });

  test('the HTTP screen: tokens before parsing, GET as well as POST, and leaves syntax errors to Apollo', () => {
    const limiter = new OperationLimiter({ limits: { ...LIMITS, maxTokens: 10 } });
    const many = `{ ${Array(20).fill('__typename').join(' ')} }`;
    expect(limiter.screen({ body: { query: many }, search: new URLSearchParams() })?.extensions).toMatchObject({ code: 'OPERATION_TOO_MANY_TOKENS', measured: 22, limit: 10 });
    expect(limiter.screen({ body: undefined, search: new URLSearchParams({ query: many }) })?.extensions?.code).toBe('OPERATION_TOO_MANY_TOKENS');
    expect(limiter.screen({ body: { query: '{ __typename' }, search: new URLSearchParams() })).toBeUndefined();
    expect(limiter.screen({ body: { query: '{ __typename }' }, search: new URLSearchParams() })).toBeUndefined();
    // No `http` extension leaks to the caller.
    expect(limiter.screen({ body: { query: many }, search: new URLSearchParams() })?.extensions).not.toHaveProperty('http');
  });
});

describe('the Apollo plugin, for operations that do not come through the HTTP front', () => {
  test('learns the schema, and refuses in didResolveOperation with HTTP 400', async () => {
    const { ApolloServer } = require('@apollo/server');
    const sdl = `directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
      type Query { items(first: Int!): [Item!] @listSize(slicingArguments: ["first"]) }
      type Item { id: ID children: [Item!] @listSize(assumedSize: 100) }`;
    const limiter = new OperationLimiter({ limits: { ...LIMITS, maxCost: 1_000 }, sdl });
    const server = new ApolloServer({ typeDefs: sdl, resolvers: { Query: { items: () => [] } }, plugins: [limiter.plugin()] });
    await server.start();
    try {
      // items 1 + 20 × (children 1 + 100 × id 1): the list-ness of `children` comes from the schema.
      const refused = await server.executeOperation({ query: 'query ($n: Int!) { items(first: $n) { children { id } } }', variables: { n: 20 } });
      expect(refused.http.status).toBe(400);
      expect(refused.body.singleResult.errors[0].extensions).toMatchObject({ code: 'OPERATION_TOO_COSTLY', measured: 2021, limit: 1_000 });
      const fine = await server.executeOperation({ query: 'query ($n: Int!) { items(first: $n) { children { id } } }', variables: { n: 2 } });
      expect(fine.body.singleResult.errors).toBeUndefined();
      const unknown = await server.executeOperation({ query: 'query A { items(first: 1) { id } }', operationName: 'B' });
      expect(unknown.http.status).toBe(400);
      expect(unknown.body.singleResult.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    } finally {
      await server.stop();
    }
  });
});

describe('the screen and the plugin together', () => {
  test('a query seen before is parsed once but still measured with each request\'s variables; the plugin skips what the screen passed, and only that', async () => {
    const { ApolloServer } = require('@apollo/server');
    const sdl = `directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
      type Query { items(first: Int!): [Item!] @listSize(slicingArguments: ["first"]) }
      type Item { id: ID children: [Item!] @listSize(assumedSize: 100) }`;
    const limiter = new OperationLimiter({ limits: { ...LIMITS, maxCost: 1_000 }, sdl });
    const server = new ApolloServer({ typeDefs: sdl, resolvers: { Query: { items: () => [] } }, plugins: [limiter.plugin()] });
    await server.start();
    try {
      const query = 'query ($n: Int!) { items(first: $n) { children { id } } }';
      const search = new URLSearchParams();
      expect(limiter.screen({ body: { query, variables: { n: 2 } }, search })).toBeUndefined();
      // The same text with other variables: not parsed again, refused by its own cost.
      expect(limiter.screen({ body: { query, variables: { n: 20 } }, search })?.extensions).toMatchObject({ code: 'OPERATION_TOO_COSTLY', measured: 2021 });
      expect(limiter.screen({ body: { query, variables: { n: 3 } }, search })).toBeUndefined();
      expect((limiter as unknown as { parsed: Map<string, unknown> }).parsed.size).toBe(1); // one text, one parse kept
      // A body the screen passed is not measured again by the plugin; any other request is.
      const passed = { query, variables: { n: 2 } };
      expect(limiter.screen({ body: passed, search })).toBeUndefined();
      const http = (body: unknown) => ({ method: 'POST', headers: new Map(), search: '', body });
      const skipped = await server.executeOperation({ query, variables: { n: 20 }, http: http(passed) } as never);
      expect(skipped.body.singleResult.errors).toBeUndefined(); // (variables differ from the body only in this test)
      const unscreened = await server.executeOperation({ query, variables: { n: 20 }, http: http({ query, variables: { n: 20 } }) } as never);
      expect(unscreened.http.status).toBe(400);
      expect(unscreened.body.singleResult.errors[0].extensions.code).toBe('OPERATION_TOO_COSTLY');
    } finally {
      await server.stop();
    }
  });
});

describe('settings', () => {
  test('every limit has a documented variable, known to docker-compose checks', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const { variable, fallback } of Object.values(OPERATION_LIMIT_VARIABLES)) {
      expect(KNOWN_VARIABLES).toContain(variable);
      expect(readme).toContain(`\`${variable}\``);
      expect(readme).toMatch(new RegExp(`\`${variable}\`[^\\n]*${fallback.toLocaleString('en-US').replace(/,/g, '[,_ ]?')}`));
    }
  });

  test('values are validated', () => {
    expect(operationLimits({ OPERATION_MAX_DEPTH: '12' }).maxDepth).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'ten', '1e3']) {
      expect(() => operationLimits({ OPERATION_MAX_COST: bad })).toThrow(ConfigError);
    }
    expect(() => operationLimits({ OPERATION_MAX_COST: 'x' })).toThrow(/OPERATION_MAX_COST must be a positive integer/);
  });
});
