/**
 * Operation limits, measured in one linear pass over a parsed document before any validation,
 * planning or resolving: depth, aliases, root fields, directives and fields are counted with every
 * fragment expanded (each fragment measured once and memoized, so nested spreads that multiply
 * cost nothing to count), then — only for an operation within those — a cost from the selection
 * and the list sizes the schema declares (`@listSize`, see list-bounds.ts).
 *
 * Refusals never name a schema element: only what was measured and the limit.
 */
import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  Kind,
  Lexer,
  OperationDefinitionNode,
  SchemaMetaFieldDef,
  SelectionSetNode,
  Source,
  TokenKind,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  ValueNode,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
} from 'graphql';
import { ListBounds } from './list-bounds';

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  maxTokens: number;
  maxFields: number;
  maxCost: number;
}

export type LimitName = keyof OperationLimits;

/** The code a refusal carries, per limit. */
export const LIMIT_CODES: Record<LimitName, string> = {
  maxDepth: 'OPERATION_TOO_DEEP',
  maxAliases: 'OPERATION_TOO_MANY_ALIASES',
  maxRootFields: 'OPERATION_TOO_MANY_ROOT_FIELDS',
  maxDirectives: 'OPERATION_TOO_MANY_DIRECTIVES',
  maxTokens: 'OPERATION_TOO_MANY_TOKENS',
  maxFields: 'OPERATION_TOO_MANY_FIELDS',
  maxCost: 'OPERATION_TOO_COSTLY',
};

/** Items assumed for a list field the schema gives no `@listSize` (e.g. introspection's lists). */
export const DEFAULT_LIST_SIZE = 10;

const DESCRIBE: Record<LimitName, (measured: number, limit: number) => string> = {
  maxDepth: (m, l) => `The operation is nested ${m} levels deep; at most ${l} are allowed.`,
  maxAliases: (m, l) => `The operation uses ${m} aliases once its fragments are expanded; at most ${l} are allowed.`,
  maxRootFields: (m, l) => `The operation asks for ${m} top-level fields; at most ${l} are allowed.`,
  maxDirectives: (m, l) => `The operation uses ${m} directives once its fragments are expanded; at most ${l} are allowed.`,
  maxTokens: (m, l) => `The operation has ${m} tokens; at most ${l} are allowed.`,
  maxFields: (m, l) => `The operation selects ${m} fields once its fragments are expanded; at most ${l} are allowed.`,
  maxCost: (m, l) => `The operation's estimated cost is ${m}; the budget is ${l}.`,
};

const reported = (n: number) => (Number.isFinite(n) ? Math.min(Math.round(n), Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER);

/** HTTP 400 with the limit's code, the measured value and the limit. */
export function limitRefusal(limit: LimitName, measured: number, max: number): GraphQLError {
  const value = reported(measured);
  return new GraphQLError(DESCRIBE[limit](value, max), {
    extensions: { code: LIMIT_CODES[limit], measured: value, limit: max, http: { status: 400 } },
  });
}

/** A request that names no operation the document holds: HTTP 400, not a 500. */
export function operationResolutionRefusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
}

/** The tokens of a source as graphql-js's parser counts them for `maxTokens` (comments excluded); undefined when it does not lex. */
export function countTokens(source: string): number | undefined {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    return undefined;
  }
  return count;
}

export interface Shape {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  fields: number;
}

interface Facts {
  depth: number;
  aliases: number;
  directives: number;
  fields: number;
  /** Fields at the selection set's own level (through spreads and inline fragments). */
  top: number;
}

const NONE: Facts = { depth: 0, aliases: 0, directives: 0, fields: 0, top: 0 };

/** Picks the operation a request runs, as graphql-js does, or refuses with a clear 400. */
export function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) {
    const named = operations.find((o) => o.name?.value === operationName);
    if (!named) throw operationResolutionRefusal(`The document holds no operation named "${operationName.slice(0, 100)}".`);
    return named;
  }
  if (operations.length === 1) return operations[0];
  throw operationResolutionRefusal(
    operations.length === 0 ? 'The document holds no operation.' : 'The document holds several operations: say which with operationName.',
  );
}

/** Measures an operation's shape, fragments expanded, in time linear in the document's size. */
export class OperationAnalysis {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly facts = new Map<string, Facts>();
  private readonly open = new Set<string>();

  constructor(
    readonly document: DocumentNode,
    readonly operation: OperationDefinitionNode,
  ) {
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(d.name.value, d);
  }

  shape(): Shape {
    const facts = this.selectionFacts(this.operation.selectionSet);
    return {
      depth: facts.depth,
      aliases: facts.aliases,
      rootFields: facts.top,
      directives: facts.directives + (this.operation.directives?.length ?? 0),
      fields: facts.fields,
    };
  }

  private fragmentFacts(name: string): Facts {
    const known = this.facts.get(name);
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return NONE; // validation refuses the unknown fragment
    if (this.open.has(name)) {
      throw new GraphQLError('The operation\'s fragments spread each other in a cycle.', {
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
      });
    }
    this.open.add(name);
    const inner = this.selectionFacts(fragment.selectionSet);
    this.open.delete(name);
    const facts = { ...inner, directives: inner.directives + (fragment.directives?.length ?? 0) };
    this.facts.set(name, facts);
    return facts;
  }

  private selectionFacts(set: SelectionSetNode): Facts {
    const sum: Facts = { depth: 0, aliases: 0, directives: 0, fields: 0, top: 0 };
    for (const selection of set.selections) {
      sum.directives += selection.directives?.length ?? 0;
      let inner: Facts;
      if (selection.kind === Kind.FIELD) {
        inner = selection.selectionSet ? this.selectionFacts(selection.selectionSet) : NONE;
        sum.fields += 1;
        sum.top += 1;
        if (selection.alias) sum.aliases += 1;
        sum.depth = Math.max(sum.depth, 1 + inner.depth);
      } else {
        inner = selection.kind === Kind.INLINE_FRAGMENT ? this.selectionFacts(selection.selectionSet) : this.fragmentFacts(selection.name.value);
        sum.top += inner.top;
        sum.depth = Math.max(sum.depth, inner.depth);
      }
      sum.fields += inner.fields;
      sum.aliases += inner.aliases;
      sum.directives += inner.directives;
    }
    return sum;
  }
}

interface Sized {
  fields: readonly string[];
  size: number;
}

/**
 * Estimated cost: every field (also `__typename` and introspection fields) costs its `@cost`
 * weight (1 by default); a field with a selection adds its selection's cost times its list size:
 * the slicing argument's value (`first:`), else the field's `@listSize(assumedSize:)`, else
 * DEFAULT_LIST_SIZE for a list, 1 for an object. `_entities` costs per representation, by type.
 * Walk it only for an operation within maxFields: the walk visits the expanded selection.
 */
export class CostEstimate {
  constructor(
    private readonly schema: GraphQLSchema | undefined,
    private readonly bounds: ListBounds,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
  ) {}

  private readonly fragmentCosts = new Map<string, number>();

  static of(document: DocumentNode, operation: OperationDefinitionNode, schema: GraphQLSchema | undefined, bounds: ListBounds, variables: Record<string, unknown> = {}): number {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    const estimate = new CostEstimate(schema, bounds, fragments, variables);
    const root = operation.operation === 'query' ? schema?.getQueryType() : operation.operation === 'mutation' ? schema?.getMutationType() : schema?.getSubscriptionType();
    return estimate.selectionCost(operation.selectionSet, root ?? undefined);
  }

  private fieldDefinition(type: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === '__typename') return TypeNameMetaFieldDef;
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
    return type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[name] : undefined;
  }

  private value(node: ValueNode): unknown {
    if (node.kind === Kind.VARIABLE) return this.variables[node.name.value];
    if (node.kind === Kind.INT) return Number(node.value);
    return undefined;
  }

  private slice(field: FieldNode, names: readonly string[]): number | undefined {
    let size: number | undefined;
    for (const argument of field.arguments ?? []) {
      if (!names.includes(argument.name.value)) continue;
      const value = this.value(argument.value);
      if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, value));
    }
    return size;
  }

  private typeNamed(name: string | undefined, fallback: GraphQLNamedType | undefined): GraphQLNamedType | undefined {
    return name === undefined ? fallback : (this.schema?.getType(name) ?? undefined);
  }

  selectionCost(set: SelectionSetNode, type: GraphQLNamedType | undefined, sized?: Sized): number {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        cost += this.selectionCost(selection.selectionSet, this.typeNamed(selection.typeCondition?.name.value, type), sized);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = this.fragments.get(selection.name.value);
        if (fragment) cost += this.fragmentCost(fragment, type, sized);
      } else {
        cost += this.fieldCost(selection, type, sized);
      }
    }
    return cost;
  }

  /**
   * A fragment's cost, once per fragment and context (the type it is spread on and any slicing the
   * parent passes down): nested spreads multiply the selection, not the work of costing it. (Only
   * reached within the shape limits, but a loosened OPERATION_MAX_FIELDS must not make it exponential.)
   */
  private fragmentCost(fragment: FragmentDefinitionNode, type: GraphQLNamedType | undefined, sized?: Sized): number {
    const key = `${fragment.name.value}|${type?.name ?? ''}|${sized ? `${sized.size}:${sized.fields.join(',')}` : ''}`;
    let cost = this.fragmentCosts.get(key);
    if (cost === undefined) {
      cost = this.selectionCost(fragment.selectionSet, this.typeNamed(fragment.typeCondition.name.value, type), sized);
      this.fragmentCosts.set(key, cost);
    }
    return cost;
  }

  private fieldCost(field: FieldNode, type: GraphQLNamedType | undefined, sized?: Sized): number {
    const name = field.name.value;
    const bound = type ? this.bounds.get(`${type.name}.${name}`) : undefined;
    const weight = bound?.weight ?? 1;
    if (!field.selectionSet) return weight;
    if (name === '_entities' && type && type === this.schema?.getQueryType()) return weight + this.entitiesCost(field);
    const definition = this.fieldDefinition(type, name);
    const child = definition ? getNamedType(definition.type) : undefined;
    const sliced = bound?.slicingArguments ? this.slice(field, bound.slicingArguments) : undefined;
    let size = 1;
    let childSized: Sized | undefined;
    if (bound?.sizedFields) {
      childSized = { fields: bound.sizedFields, size: sliced ?? bound.assumedSize ?? DEFAULT_LIST_SIZE };
    } else if (definition && isListType(getNullableType(definition.type))) {
      size = sliced ?? bound?.assumedSize ?? DEFAULT_LIST_SIZE;
    }
    if (sized?.fields.includes(name)) size = sized.size;
    return weight + size * this.selectionCost(field.selectionSet, child, childSized);
  }

  /** `_entities(representations:)`: each representation costs the selection of its own type. */
  private entitiesCost(field: FieldNode): number {
    const argument = field.arguments?.find((a) => a.name.value === 'representations');
    const representations = argument ? this.literalOrVariable(argument.value) : undefined;
    const perType = new Map<string, number>();
    let total = 0;
    if (Array.isArray(representations)) {
      for (const r of representations) {
        const typename = (r as { __typename?: unknown } | null)?.__typename;
        const key = typeof typename === 'string' ? typename : '';
        perType.set(key, (perType.get(key) ?? 0) + 1);
        total++;
      }
    } else {
      total = DEFAULT_LIST_SIZE;
    }
    const countOf = (typeName: string | undefined) => (typeName === undefined || !Array.isArray(representations) ? total : (perType.get(typeName) ?? 0));
    let cost = 0;
    const visit = (set: SelectionSetNode, typeName: string | undefined) => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          cost += total * this.fieldCost(selection, undefined);
        } else {
          const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.fragments.get(selection.name.value);
          if (!fragment) continue;
          const condition = fragment.typeCondition?.name.value ?? typeName;
          if (condition === undefined || condition === '_Entity') visit(fragment.selectionSet, typeName);
          else cost += countOf(condition) * this.selectionCost(fragment.selectionSet, this.typeNamed(condition, undefined));
        }
      }
    };
    visit(field.selectionSet!, undefined);
    return cost;
  }

  private literalOrVariable(node: ValueNode): unknown {
    if (node.kind === Kind.VARIABLE) return this.variables[node.name.value];
    if (node.kind === Kind.LIST) return node.values.map((v) => (v.kind === Kind.OBJECT ? Object.fromEntries(v.fields.map((f) => [f.name.value, f.value.kind === Kind.STRING ? f.value.value : undefined])) : undefined));
    return undefined;
  }
}

/** The first limit the operation exceeds, in the order cheapest to check; cost only within the rest. */
export function enforceOperationLimits(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
  schema: GraphQLSchema | undefined,
  bounds: ListBounds,
): void {
  const operation = selectOperation(document, operationName);
  const analysis = new OperationAnalysis(document, operation);
  let shape: Shape;
  try {
    shape = analysis.shape();
  } catch (error) {
    // A document nested past the stack is deeper than any limit.
    if (error instanceof RangeError) throw limitRefusal('maxDepth', Number.POSITIVE_INFINITY, limits.maxDepth);
    throw error;
  }
  if (shape.depth > limits.maxDepth) throw limitRefusal('maxDepth', shape.depth, limits.maxDepth);
  if (shape.rootFields > limits.maxRootFields) throw limitRefusal('maxRootFields', shape.rootFields, limits.maxRootFields);
  if (shape.aliases > limits.maxAliases) throw limitRefusal('maxAliases', shape.aliases, limits.maxAliases);
  if (shape.directives > limits.maxDirectives) throw limitRefusal('maxDirectives', shape.directives, limits.maxDirectives);
  if (shape.fields > limits.maxFields) throw limitRefusal('maxFields', shape.fields, limits.maxFields);
  const cost = CostEstimate.of(document, operation, schema, bounds, variables ?? {});
  if (cost > limits.maxCost) throw limitRefusal('maxCost', cost, limits.maxCost);
}
