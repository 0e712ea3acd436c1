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
  type Query { item: Item other: String strict: Strict wild: Wild whole: Whole }
  type Item {
    open: String closed: String says: String throws: String later: String broken: String unlisted: String
    rejects: String errs: String laterNo: String laterThrows: String truthy: String thenable: String
  }
  type Strict { first: String! second: String third: String }
  type Wild { a: String b: String }
  type Whole { a: String }
`;
const resolvers = {
  Query: {
    item: () => ({ open: 'o', closed: 'c', says: 's', throws: 't', later: 'l', unlisted: 'u' }),
    other: () => 'x',
    strict: () => ({ first: 'f', second: 's', third: 't' }),
    wild: () => ({ a: 'a', b: 'b' }),
    whole: () => ({ a: 'a' }),
  },
  Item: {
    broken: () => {
      throw new Error('database down');
    },
    rejects: () => Promise.reject(new Error('timeout')),
    errs: () => 'e',
    laterNo: () => 'n',
    laterThrows: () => 't',
    truthy: () => 'y',
    thenable: () => 'h',
  },
};
const tree = {
  Query: { item: allow, strict: allow, wild: allow, whole: allow },
  Item: {
    open: allow,
    closed: deny,
    says: rule({ cache: 'no_cache' })(() => 'not for you'),
    throws: rule({ cache: 'no_cache' })(() => {
      throw new Error('rule bug');
    }),
    later: rule({ cache: 'no_cache' })(async () => true),
    broken: allow,
    rejects: allow,
    errs: rule({ cache: 'no_cache' })(() => new Error('refused by the rule')),
    laterNo: rule({ cache: 'no_cache' })(async () => false),
    laterThrows: rule({ cache: 'no_cache' })(() => Promise.reject(new Error('rule failed'))),
    truthy: rule({ cache: 'no_cache' })(() => 1 as never),
    thenable: rule({ cache: 'no_cache' })(() => ({ then: (ok: (v: boolean) => void) => ok(true) }) as never),
  },
  Strict: { first: deny, second: allow }, // third: the fallback
  Wild: { '*': allow, b: deny },
  Whole: allow,
};
const query = `{
  item { open closed says throws later broken unlisted rejects errs laterNo laterThrows truthy thenable }
  other strict { first second third } wild { a b } whole { a }
}`;

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
      item: {
        open: 'o', closed: null, says: null, throws: null, later: 'l', broken: null, unlisted: null,
        rejects: null, errs: null, laterNo: null, laterThrows: null, truthy: null, thenable: 'h',
      },
      other: null,
      strict: null, // its non-null first was refused...
      wild: { a: 'a', b: null },
      whole: { a: 'a' },
    });
    // ...and its other fields were still decided, as graphql-shield's executor decides them.
    expect(sync.errors.filter((e) => String(e.path).startsWith('strict')).map((e) => e.path!.join('.'))).toEqual(['strict.first', 'strict.third']);
    const byPath = Object.fromEntries(sync.errors.map((e) => [e.path!.join('.'), e]));
    expect(byPath['item.closed'].code).toBe('FORBIDDEN');
    expect(byPath['item.says'].message).toBe('not for you');
    expect(byPath['item.throws'].code).toBe('FORBIDDEN'); // a rule that throws denies
    expect(byPath['item.broken'].message).toBe('database down'); // a resolver error is not a refusal
    expect(byPath['item.unlisted'].message).toBe('Item.unlisted withheld: the field is not classified by any policy.');
    expect(byPath.other.code).toBe('FORBIDDEN');
    expect(byPath['item.rejects'].message).toBe('timeout');
    expect(byPath['item.errs'].message).toBe('refused by the rule');
    for (const denied of ['item.laterNo', 'item.laterThrows', 'item.truthy', 'wild.b']) expect(byPath[denied].code).toBe('FORBIDDEN');
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
    expect(() => synchronousShield(schema, { Nothing: allow })).toThrow('rules name the types Nothing, which the schema does not have');
  });
});

describe('POLICY_EXECUTOR', () => {
  it('defaults to sync, takes graphql-shield, and names a wrong value', () => {
    expect(policyExecutor({})).toBe('sync');
    expect(policyExecutor({ POLICY_EXECUTOR: 'graphql-shield' })).toBe('graphql-shield');
    expect(() => policyExecutor({ POLICY_EXECUTOR: 'shield' })).toThrow('POLICY_EXECUTOR must be one of sync, graphql-shield, got "shield"');
  });
});
