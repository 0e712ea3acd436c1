/**
 * Bounds on what a caller may send as arguments, for every field that takes any, queries and
 * mutations alike: no NUL character in any string (PostgreSQL refuses them in text), no string
 * longer than INPUT_MAX_STRING_LENGTH (10,000; a few fields allow more, below), no list longer than
 * INPUT_MAX_LIST_LENGTH (100). A breach is one BAD_USER_INPUT naming each offending path, e.g.
 * `input.parties[2].newPerson.givenName`, before the resolver runs (so nothing is read or written).
 *
 * Applied beneath the access rules (lib/subgraph.ts buildSchema): a caller refused a field learns
 * nothing from its arguments. Fields whose arguments can hold no string or list (Int, Boolean, enums,
 * the Date/DateTime scalars, which parse to a fixed form) are not wrapped at all.
 */
import {
  GraphQLArgument,
  GraphQLFieldResolver,
  GraphQLInputType,
  GraphQLSchema,
  defaultFieldResolver,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { ConfigError } from './config';
import { InputProblem, badUserInput } from './validation';

export const DEFAULT_MAX_STRING_LENGTH = 10_000;
export const DEFAULT_MAX_LIST_LENGTH = 100;

/** Input fields whose own validation allows more than the global cap (by input coordinate). */
export const LONGER_STRINGS: Record<string, number> = {
  'AddClinicalNoteInput.body': 20_000,
};

/** Arguments whose list length is bounded elsewhere: the gateway's entity batches (bounded by page size and the body cap). */
const UNBOUNDED_LISTS = new Set(['Query._entities.representations']);

/** Scalars whose parsed value is a fixed, checked form and needs no walking. */
const FIXED_FORM_SCALARS = new Set(['Int', 'Float', 'Boolean', 'Date', 'DateTime']);

export interface InputLimits {
  maxStringLength: number;
  maxListLength: number;
}

type Env = Record<string, string | undefined>;

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

export function inputLimits(env: Env = process.env): InputLimits {
  return {
    maxStringLength: positive(env, 'INPUT_MAX_STRING_LENGTH', DEFAULT_MAX_STRING_LENGTH),
    maxListLength: positive(env, 'INPUT_MAX_LIST_LENGTH', DEFAULT_MAX_LIST_LENGTH),
  };
}

class Walker {
  readonly problems: InputProblem[] = [];
  constructor(private readonly limits: InputLimits) {}

  string(path: string, value: string, max: number): void {
    if (value.includes('\0')) this.problems.push({ field: path, message: 'must not contain NUL characters' });
    else if (value.length > max) this.problems.push({ field: path, message: `must be at most ${max} characters` });
  }

  /** Values of `_Any` and other JSON-like scalars: every string in them. */
  json(path: string, value: unknown): void {
    if (typeof value === 'string') this.string(path, value, this.limits.maxStringLength);
    else if (Array.isArray(value)) value.forEach((v, i) => this.json(`${path}[${i}]`, v));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) this.json(`${path}.${k}`, v);
  }

  value(path: string, coordinate: string, type: GraphQLInputType, value: unknown): void {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return this.value(path, coordinate, type.ofType, value);
    if (isListType(type)) {
      if (!Array.isArray(value)) return this.value(path, coordinate, type.ofType, value);
      if (!UNBOUNDED_LISTS.has(coordinate) && value.length > this.limits.maxListLength) {
        this.problems.push({ field: path, message: `must have at most ${this.limits.maxListLength} items` });
        return;
      }
      value.forEach((item, i) => this.value(`${path}[${i}]`, coordinate, type.ofType, item));
      return;
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        this.value(`${path}.${field.name}`, `${type.name}.${field.name}`, field.type, (value as Record<string, unknown>)[field.name]);
      }
      return;
    }
    if (typeof value === 'string') this.string(path, value, LONGER_STRINGS[coordinate] ?? this.limits.maxStringLength);
    else if (isScalarType(type) && !FIXED_FORM_SCALARS.has(type.name)) this.json(path, value);
  }
}

/** The problems of one field's coerced arguments (empty when they are within bounds). */
export function argumentProblems(coordinate: string, args: readonly GraphQLArgument[], values: Record<string, unknown>, limits: InputLimits): InputProblem[] {
  const walker = new Walker(limits);
  for (const arg of args) walker.value(arg.name, `${coordinate}.${arg.name}`, arg.type, values[arg.name]);
  return walker.problems;
}

/** Whether a value of this type can hold a string or a list (so whether it needs checking at all). */
function needsCheck(type: GraphQLInputType, seen = new Set<string>()): boolean {
  if (isNonNullType(type)) return needsCheck(type.ofType, seen);
  if (isListType(type)) return true;
  if (isEnumType(type)) return false;
  if (isScalarType(type)) return !FIXED_FORM_SCALARS.has(type.name);
  if (seen.has(type.name)) return false;
  seen.add(type.name);
  return Object.values(type.getFields()).some((f) => needsCheck(f.type, seen));
}

/** Wraps the resolver of every field with arguments that may carry strings or lists. */
export function limitInputs(schema: GraphQLSchema, limits: InputLimits = inputLimits()): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((a) => needsCheck(a.type))) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      const coordinate = `${type.name}.${field.name}`;
      const args = field.args;
      field.resolve = (parent, values, ctx, info) => {
        const problems = argumentProblems(coordinate, args, values, limits);
        if (problems.length > 0) throw badUserInput(problems);
        return resolve(parent, values, ctx, info);
      };
    }
  }
  return schema;
}
