/**
 * How a subgraph runs its graphql-shield rule tree. Two executors, one tree (compilePolicy):
 *
 * - `sync` (default): the tree's rules, evaluated by a graphql-middleware field map that waits
 *   only for rules that answer with a promise. graphql-shield's own executor makes every field of
 *   every response asynchronous (graphql-shield#1522), which by itself doubles the CPU of a
 *   caseload response; this one keeps shield's semantics — fallback rule, fallback error, a
 *   throwing rule denies, resolver errors pass through (`allowExternalErrors`) — and supports the
 *   rule kinds compilePolicy emits: `rule()` without cache, `allow`, `deny`. Anything else in the
 *   tree is refused when the schema is built.
 * - `graphql-shield`: `shield(tree, options)` as the library runs it.
 *
 * POLICY_EXECUTOR selects one; the access tests run the shipped agreements through both.
 */
import { GraphQLResolveInfo, GraphQLSchema, isNonNullType, isObjectType } from 'graphql';
import { IMiddleware, IMiddlewareFieldMap, IMiddlewareGenerator, applyMiddleware } from 'graphql-middleware';
import { IRules, allow, deny, rule, shield } from 'graphql-shield';
import type { ShieldRule } from 'graphql-shield/typings/types';
import { ConfigError } from '../config';
import { CompiledPolicy, SHIELD_OPTIONS, isPromiseLike } from './rules';
import { ABANDONED } from '../request-deadline';

export const POLICY_EXECUTORS = ['sync', 'graphql-shield'] as const;
export type PolicyExecutor = (typeof POLICY_EXECUTORS)[number];

export function policyExecutor(env: Record<string, string | undefined> = process.env): PolicyExecutor {
  const raw = env.POLICY_EXECUTOR;
  if (raw === undefined || raw === '') return 'sync';
  if ((POLICY_EXECUTORS as readonly string[]).includes(raw)) return raw as PolicyExecutor;
  throw new ConfigError(`POLICY_EXECUTOR must be one of ${POLICY_EXECUTORS.join(', ')}, got "${raw}"`);
}

const RULE = rule()(() => true).constructor;
const RULE_TRUE = allow.constructor;
const RULE_FALSE = deny.constructor;

type Verdict = true | false | Error;
type Evaluate = (parent: unknown, args: unknown, ctx: unknown, info: GraphQLResolveInfo) => Verdict | Promise<Verdict>;

/** What graphql-shield's Rule.resolve makes of a rule function's answer. */
function verdictOf(answer: unknown): Verdict {
  if (answer === true) return true;
  if (answer instanceof Error) return answer;
  if (typeof answer === 'string') return new Error(answer);
  return false;
}

const hasResolve = (value: unknown) => typeof (value as { resolve?: unknown } | undefined)?.resolve === 'function';

function evaluatorFor(coordinate: string, candidate: ShieldRule): Evaluate {
  if (candidate.constructor === RULE_TRUE) return () => true;
  if (candidate.constructor === RULE_FALSE) return () => false;
  const plain = candidate as unknown as { constructor: unknown; cache: string; func: (...a: unknown[]) => unknown };
  if (plain.constructor !== RULE || plain.cache !== 'no_cache') {
    const kind = (plain.constructor as { name?: string }).name ?? 'unknown';
    const cache = plain.constructor === RULE ? ` with cache "${String(plain.cache)}"` : '';
    throw new ConfigError(
      `${coordinate}: the sync policy executor runs rule() without cache, allow and deny, not a ${kind}${cache} (use POLICY_EXECUTOR=graphql-shield)`,
    );
  }
  const func = plain.func;
  return (parent, args, ctx, info) => {
    let answer: unknown;
    try {
      answer = func(parent, args, ctx, info);
    } catch {
      return false; // graphql-shield: a rule that throws denies (debug off)
    }
    if (isPromiseLike(answer)) return Promise.resolve(answer).then(verdictOf, () => false);
    return verdictOf(answer);
  };
}

/** The rule graphql-shield would apply to a field: the tree's, the type's, the field's, `*`, or the fallback. */
function ruleAt(rules: IRules, typeName: string, fieldName: string, fallback: ShieldRule): ShieldRule {
  if (hasResolve(rules)) return rules as ShieldRule;
  const forType = (rules as Record<string, ShieldRule | Record<string, ShieldRule>>)[typeName];
  if (!forType) return fallback;
  if (hasResolve(forType)) return forType as ShieldRule;
  const fields = forType as Record<string, ShieldRule>;
  return fields[fieldName] ?? fields['*'] ?? fallback;
}

/** As graphql-shield does: a rule for a type or field the schema lacks is a mistake, not a no-op. */
function checkTreeAgainst(schema: GraphQLSchema, rules: IRules): void {
  if (hasResolve(rules)) return;
  const tree = rules as Record<string, unknown>;
  const missingTypes = Object.keys(tree).filter((t) => !schema.getType(t));
  if (missingTypes.length) throw new ConfigError(`rules name the types ${missingTypes.join(', ')}, which the schema does not have`);
  for (const [typeName, forType] of Object.entries(tree)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) || hasResolve(forType)) continue;
    const missing = Object.keys(forType as object).filter((f) => f !== '*' && !(f in type.getFields()));
    if (missing.length) throw new ConfigError(`rules name ${missing.map((f) => `${typeName}.${f}`).join(', ')}, which the schema does not have`);
  }
}

type Resolve = (...a: any[]) => unknown;

/** The rule tree as a graphql-middleware field map that stays synchronous when a rule does. */
export function synchronousShield(schema: GraphQLSchema, rules: IRules): IMiddlewareFieldMap {
  checkTreeAgainst(schema, rules);
  const { fallbackRule, fallbackError } = SHIELD_OPTIONS;
  const refusalFor = (parent: unknown, args: unknown, ctx: unknown, info: GraphQLResolveInfo): unknown => {
    const fallback: unknown = fallbackError;
    if (typeof fallback === 'function') return fallback(null, parent, args, ctx, info);
    return typeof fallback === 'string' ? new Error(fallback) : fallback;
  };
  const settle = (verdict: Verdict, resolve: Resolve, parent: unknown, args: unknown, ctx: unknown, info: GraphQLResolveInfo): unknown => {
    if (verdict === true) return resolve(parent, args, ctx, info);
    const refusal = verdict === false ? refusalFor(parent, args, ctx, info) : verdict;
    // A refusal of a non-null field nulls its parent. graphql-js stops evaluating a parent's other
    // fields at a synchronous error there, and graphql-shield's executor (all asynchronous) does
    // not: answered later, the siblings are still decided and logged, as under shield.
    return isNonNullType(info.returnType) ? Promise.resolve(refusal) : refusal;
  };
  const map: IMiddlewareFieldMap = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeMap: Record<string, IMiddleware> = {};
    for (const fieldName of Object.keys(type.getFields())) {
      const evaluate = evaluatorFor(`${type.name}.${fieldName}`, ruleAt(rules, type.name, fieldName, fallbackRule));
      const guarded = (resolve: Resolve, parent: unknown, args: unknown, ctx: unknown, info: GraphQLResolveInfo): any => {
        // The request's budget: once it is stopped (deadline, caller gone, field cap), nothing more
        // resolves; while it lets the event loop turn, the field waits.
        const held = (ctx as Budgeted).deadline?.spend();
        if (held) return held === true ? ABANDONED : held.then(() => guarded(resolve, parent, args, ctx, info));
        const verdict = evaluate(parent, args, ctx, info);
        if (verdict instanceof Promise) return verdict.then((v) => settle(v, resolve, parent, args, ctx, info));
        return settle(verdict, resolve, parent, args, ctx, info);
      };
      typeMap[fieldName] = guarded as IMiddleware;
    }
    map[type.name] = typeMap;
  }
  return map;
}

interface Budgeted {
  deadline?: { spend(): boolean | Promise<void> };
}

/** For graphql-shield's executor: the request's budget, spent per field (the sync executor does it itself). */
const spendPerField = (resolve: Resolve, parent: unknown, args: unknown, ctx: Budgeted, info: GraphQLResolveInfo): any => {
  const held = ctx.deadline?.spend();
  if (held) return held === true ? ABANDONED : held.then(() => spendPerField(resolve, parent, args, ctx, info));
  return resolve(parent, args, ctx, info);
};

/** The schema guarded by the compiled rules (run by `executor`) and the record middleware. */
export function guardSchema(schema: GraphQLSchema, compiled: CompiledPolicy, executor: PolicyExecutor = policyExecutor()): GraphQLSchema {
  const guard: IMiddlewareGenerator<any, any, any> | IMiddlewareFieldMap =
    executor === 'graphql-shield' ? shield(compiled.rules, SHIELD_OPTIONS) : synchronousShield(schema, compiled.rules);
  if (executor === 'graphql-shield') return applyMiddleware(schema, spendPerField as IMiddleware, guard, compiled.records);
  return applyMiddleware(schema, guard, compiled.records);
}
