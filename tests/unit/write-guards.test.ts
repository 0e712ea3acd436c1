/** The pieces of idempotent writes and argument bounds that need no database. */
import { GraphQLError, buildSchema } from 'graphql';
import { canonicalJson, decodeResult, encodeResult, fingerprint, idempotencyKeyOf, idempotencyRetentionHours } from '../../lib/idempotency';
import { argumentProblems, inputLimits, limitInputs } from '../../lib/input-limits';

describe('Idempotency-Key header', () => {
  it('accepts a token or the quoted structured-field form, and nothing else', () => {
    expect(idempotencyKeyOf(undefined)).toBeNull();
    expect(idempotencyKeyOf('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(idempotencyKeyOf('"abc:1/2+3="')).toBe('abc:1/2+3=');
    for (const bad of ['', '""', 'a b', 'a,b', 'x'.repeat(256), 'é', 'a"b']) {
      expect(() => idempotencyKeyOf(bad)).toThrow(GraphQLError);
    }
    expect(() => idempotencyKeyOf(['a', 'b'])).toThrow(/send it once/);
    try {
      idempotencyKeyOf('a b');
    } catch (error) {
      expect((error as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'Idempotency-Key', http: { status: 400 } });
    }
  });

  it('reads the retention, refusing a bad one', () => {
    expect(idempotencyRetentionHours({})).toBe(24);
    expect(idempotencyRetentionHours({ IDEMPOTENCY_KEY_RETENTION_HOURS: '48' })).toBe(48);
    expect(() => idempotencyRetentionHours({ IDEMPOTENCY_KEY_RETENTION_HOURS: '0' })).toThrow(/positive whole number/);
  });

  it('fingerprints arguments whatever their key order, with absent and null alike, Dates by instant', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"d":[2,1]},"b":1}');
    expect(fingerprint('Mutation.x', { input: { a: 1, b: 'x' } })).toBe(fingerprint('Mutation.x', { input: { b: 'x', a: 1, c: null } }));
    expect(fingerprint('Mutation.x', { input: { a: 1 } })).not.toBe(fingerprint('Mutation.y', { input: { a: 1 } }));
    expect(fingerprint('Mutation.x', { at: new Date('2026-01-01T00:00:00Z') })).toBe(fingerprint('Mutation.x', { at: new Date('2026-01-01T00:00:00.000Z') }));
  });

  it('stores answers so that Dates come back as Dates', () => {
    const row = { id: 'x', at: new Date('2026-01-02T03:04:05.678Z'), list: ['a'], nested: { at: new Date(0) }, none: null };
    expect(decodeResult(encodeResult(row))).toEqual(row);
  });
});

describe('argument bounds', () => {
  const schema = buildSchema(`
    input Inner { name: String, tags: [String!] }
    input Outer { items: [Inner!]!, note: String, count: Int }
    type Query { find(text: String!, outer: Outer): String, plain(n: Int, on: Boolean): String }
  `);
  const limits = { maxStringLength: 10, maxListLength: 3 };
  const field = schema.getQueryType()!.getFields().find;

  it('names each offending path: NUL, over-long string, over-long list', () => {
    const problems = argumentProblems('Query.find', field.args, {
      text: 'a\u0000b',
      outer: { items: [{ name: 'ok' }, { name: 'x'.repeat(11) }, { tags: ['a', 'b', 'c', 'd'] }], note: 'fine' },
    }, limits);
    expect(problems).toEqual([
      { field: 'text', message: 'must not contain NUL characters' },
      { field: 'outer.items[1].name', message: 'must be at most 10 characters' },
      { field: 'outer.items[2].tags', message: 'must have at most 3 items' },
    ]);
    expect(argumentProblems('Query.find', field.args, { text: 'fine' }, limits)).toEqual([]);
  });

  it('wraps only fields whose arguments can carry strings or lists, and refuses before the resolver runs', () => {
    let ran = 0;
    const wrapped = buildSchema(`type Query { find(text: String!): String, plain(n: Int): String }`);
    const fields = wrapped.getQueryType()!.getFields();
    fields.find.resolve = () => { ran += 1; return 'found'; };
    const plainResolve = () => 'plain';
    fields.plain.resolve = plainResolve;
    limitInputs(wrapped, limits);
    expect(fields.plain.resolve).toBe(plainResolve);
    expect(() => fields.find.resolve!(null, { text: 'x'.repeat(11) }, {}, {} as never)).toThrow(/text must be at most 10 characters/);
    expect(ran).toBe(0);
    expect(fields.find.resolve!(null, { text: 'ok' }, {}, {} as never)).toBe('found');
  });

  it('reads its limits from the environment', () => {
    expect(inputLimits({})).toEqual({ maxStringLength: 10_000, maxListLength: 100 });
    expect(inputLimits({ INPUT_MAX_STRING_LENGTH: '500', INPUT_MAX_LIST_LENGTH: '20' })).toEqual({ maxStringLength: 500, maxListLength: 20 });
    expect(() => inputLimits({ INPUT_MAX_LIST_LENGTH: 'many' })).toThrow(/INPUT_MAX_LIST_LENGTH/);
  });
});
