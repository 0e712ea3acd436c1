/**
 * A subgraph releases a record that must carry a notice (42 CFR 2.32) only in a selection that
 * also selects the record's notice field (lib/policy/rules.ts). This gateway keeps serving clients
 * that do not select it: every subgraph fetch gets the notice field added to each selection of a
 * type that has one, under an alias of its own; the gateway's result shaping keeps only what the
 * client asked for, and the notices travel on in the response's `extensions.redisclosureNotices`.
 * A client that selects the field itself gets the notice in the data too.
 */
import { ASTNode, FieldNode, GraphQLSchema, Kind, SelectionSetNode, buildASTSchema, getNamedType, isObjectType, parse, print, visit } from 'graphql';
import { NOTICE_FIELD } from '../lib/policy/classification';

/** The alias the gateway's own notice selection answers under (no client response key starts with it: the gateway drops it). */
export const GATEWAY_NOTICE_ALIAS = '_gatewayRedisclosureNotice';

const MAX_CACHED = 1_000;

/**
 * Rewrites subgraph operations to select the notice field wherever a record that has one is
 * selected. The planner's operations are few and repeat, so each is rewritten once and cached.
 */
export function noticeSelections(supergraphSdl: string): (operation: string) => string {
  const schema = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const carriers = new Set(
    Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && t.getFields()[NOTICE_FIELD] !== undefined)
      .map((t) => t.name),
  );
  const cache = new Map<string, string>();
  return (operation) => {
    if (carriers.size === 0) return operation;
    let rewritten = cache.get(operation);
    if (rewritten === undefined) {
      rewritten = addNoticeSelections(schema, carriers, operation);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(operation, rewritten);
    }
    return rewritten;
  };
}

const noticeField: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: GATEWAY_NOTICE_ALIAS },
  name: { kind: Kind.NAME, value: NOTICE_FIELD },
};

function addNoticeSelections(schema: GraphQLSchema, carriers: Set<string>, operation: string): string {
  const document = parse(operation);
  // The type of each selection set, found walking down from the roots (`_entities` answers the
  // types its inline fragments name; named fragments their type condition).
  const typeOf = new Map<SelectionSetNode, string>();
  const walk = (set: SelectionSetNode, typeName: string) => {
    typeOf.set(set, typeName);
    const type = schema.getType(typeName);
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, selection.typeCondition?.name.value ?? typeName);
      else if (selection.kind === Kind.FIELD && selection.selectionSet) {
        if (selection.name.value === '_entities') {
          walk(selection.selectionSet, '_Entity');
          continue;
        }
        const field = isObjectType(type) ? type.getFields()[selection.name.value] : undefined;
        if (field) walk(selection.selectionSet, getNamedType(field.type).name);
      }
    }
  };
  let changed = false;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const root = definition.operation === 'mutation' ? schema.getMutationType() : definition.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
      if (root) walk(definition.selectionSet, root.name);
    } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      walk(definition.selectionSet, definition.typeCondition.name.value);
    }
  }
  const result: ASTNode = visit(document, {
    SelectionSet(node: SelectionSetNode): SelectionSetNode | undefined {
      const typeName = typeOf.get(node);
      if (!typeName || !carriers.has(typeName)) return undefined;
      if (node.selections.some((s) => s.kind === Kind.FIELD && s.name.value === NOTICE_FIELD && !s.directives?.length)) return undefined;
      changed = true;
      return { ...node, selections: [...node.selections, noticeField] };
    },
  });
  return changed ? print(result) : operation;
}
