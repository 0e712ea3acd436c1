/**
 * How long a list field may be, as the schema says with the demand-control directives of
 * https://specs.apollo.dev/cost/v0.1 (`@listSize`, `@cost`). Each subgraph annotates its own SDL;
 * composition carries the directives into the supergraph, so the gateway reads the same bounds
 * from the supergraph SDL and each subgraph from its own SDL.
 */
import { ConstDirectiveNode, ConstValueNode, Kind, parse } from 'graphql';

export interface FieldBound {
  /** Items a list field is assumed to hold when no slicing argument says otherwise. */
  assumedSize?: number;
  /** Arguments whose value bounds the list (e.g. `first`). */
  slicingArguments?: string[];
  /** For connections: the child fields the slicing argument sizes (e.g. `nodes`). */
  sizedFields?: string[];
  /** `@cost(weight:)` of the field, when not the default 1. */
  weight?: number;
}

/** `Type.field` → bound. */
export type ListBounds = ReadonlyMap<string, FieldBound>;

function constValue(node: ConstValueNode): unknown {
  switch (node.kind) {
    case Kind.INT:
      return Number(node.value);
    case Kind.STRING:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.LIST:
      return node.values.map(constValue);
    default:
      return undefined;
  }
}

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, constValue(a.value)]));
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
const integer = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);

/** Reads `@listSize` and `@cost` of every object and interface field of an SDL (subgraph or supergraph). */
export function readListBounds(sdl: string): ListBounds {
  const bounds = new Map<string, FieldBound>();
  for (const definition of parse(sdl).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      const bound: FieldBound = {};
      for (const directive of field.directives ?? []) {
        const args = argumentsOf(directive);
        if (directive.name.value === 'listSize') {
          bound.assumedSize = integer(args.assumedSize);
          bound.slicingArguments = strings(args.slicingArguments);
          bound.sizedFields = strings(args.sizedFields);
        } else if (directive.name.value === 'cost') {
          bound.weight = integer(args.weight);
        }
      }
      if (Object.values(bound).some((v) => v !== undefined)) bounds.set(`${definition.name.value}.${field.name.value}`, bound);
    }
  }
  return bounds;
}
