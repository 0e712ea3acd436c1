/**
 * The synchronous executor runs a graphql-shield rule tree as graphql-shield does: the same
 * answers, refusals and errors for the same tree, on the cases shield's own executor defines.
 */
import { graphql } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { and, allow, deny, rule, shield } from 'graphql-shield';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { ConfigError } from '../../lib/config';
import { policyExecutor, synchronousShield } from '../../lib/policy/executor';
import { SHIELD_OPTIONS } from '../../lib/policy/rules';

const typeDefs = `
  type Query { item: Item other: String }
  type Item { open: String closed: String says: String throws: String later: String broken: String unlisted: String }
`;
const resolvers = {
  Query: { item: () => ({ open: 'o', closed: 'c', says: 's', throws: 't', later: 'l', unlisted: 'u' }), other: () => 'x' },
  Item: {
    broken: () => {
      throw new Error('database down');
    },
  },
};
const tree = {
  Query: { item: allow },
  Item: {
    open: allow,
    closed: deny,
    says: rule({ cache: 'no_cache' })(() => 'not for you'),
    throws: rule({ cache: 'no_cache' })(() => {
      throw new Error('rule bug');
    }),
    later: rule({ cache: 'no_cache' })(async () => true),
    broken: allow,
  },
};
const query = '{ item { open closed says throws later broken unlisted } other }';

async function runBoth() {
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const viaShield = await graphql({ schema: applyMiddleware(schema, shield(tree, SHIELD_OPTIONS)), source: query, contextValue: {} });
  const viaSync = await graphql({ schema: applyMiddleware(schema, synchronousShield(schema, tree)), source: query, contextValue: {} });
  const shape = (r: typeof viaShield) => ({
    data: r.data,
    errors: (r.errors ?? []).map((e) => ({ path: e.path, message: e.message, code: e.extensions.code })).sort((a, b) => String(a.path).localeCompare(String(b.path))),
  });
  return { shield: shape(viaShield), sync: shape(viaSync) };
}

describe('the synchronous executor', () => {
  it('answers as graphql-shield does: allow, deny, a rule’s message, a throwing rule, an async rule, a failing resolver, the fallback', async () => {
    const { shield: expected, sync } = await runBoth();
    expect(sync).toEqual(expected);
    expect(sync.data).toEqual({
      item: { open: 'o', closed: null, says: null, throws: null, later: 'l', broken: null, unlisted: null },
      other: null,
    });
    const byPath = Object.fromEntries(sync.errors.map((e) => [e.path!.join('.'), e]));
    expect(byPath['item.closed'].code).toBe('FORBIDDEN');
    expect(byPath['item.says'].message).toBe('not for you');
    expect(byPath['item.throws'].code).toBe('FORBIDDEN'); // a rule that throws denies
    expect(byPath['item.broken'].message).toBe('database down'); // a resolver error is not a refusal
    expect(byPath['item.unlisted'].message).toBe('Item.unlisted withheld: the field is not classified by any policy.');
    expect(byPath.other.code).toBe('FORBIDDEN');
  });

  it('stays synchronous when every rule is', async () => {
    const schema = makeExecutableSchema({ typeDefs, resolvers });
    const guarded = applyMiddleware(schema, synchronousShield(schema, { Query: { other: allow } }));
    const { execute, parse } = await import('graphql');
    const result = execute({ schema: guarded, document: parse('{ other }'), contextValue: {} });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ data: { other: 'x' } });
  });

  it('refuses, when the schema is built, a rule kind it does not run or a field the schema lacks', () => {
    const schema = makeExecutableSchema({ typeDefs, resolvers });
    const both = and(allow, allow);
    expect(() => synchronousShield(schema, { Item: { open: both } })).toThrow(ConfigError);
    expect(() => synchronousShield(schema, { Item: { open: both } })).toThrow(/Item\.open: .*POLICY_EXECUTOR=graphql-shield/);
    const cached = rule({ cache: 'contextual' })(() => true);
    expect(() => synchronousShield(schema, { Item: { open: cached } })).toThrow(/Item\.open/);
    expect(() => synchronousShield(schema, { Item: { missing: allow } })).toThrow('rules name Item.missing, which the schema does not have');
  });
});

describe('POLICY_EXECUTOR', () => {
  it('defaults to sync, takes graphql-shield, and names a wrong value', () => {
    expect(policyExecutor({})).toBe('sync');
    expect(policyExecutor({ POLICY_EXECUTOR: 'graphql-shield' })).toBe('graphql-shield');
    expect(() => policyExecutor({ POLICY_EXECUTOR: 'shield' })).toThrow('POLICY_EXECUTOR must be one of sync, graphql-shield, got "shield"');
  });
});
