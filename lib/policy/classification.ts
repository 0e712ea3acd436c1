/**
 * Every field of every subgraph is classified: deliberately public (keys, federation plumbing),
 * owner-only, or granted by some agreement. Each subgraph's policy.ts lists the first two; the
 * agreements give the third. A field in none of them is a defect a test names.
 */
import { GraphQLSchema, isObjectType } from 'graphql';
import type { DataSource } from 'typeorm';
import { ServiceName } from '../config';
import type { Agreement } from './agreements';

export interface RecordScope {
  /** The object type whose rows the scope selects. */
  type: string;
  description: string;
  test(row: Record<string, unknown>): boolean;
}

/**
 * A selection of records the owner's own staff may be limited to by their role policy
 * (`records:` in schema/roles), by what the caller is assigned to (e.g. the shelters they work at).
 */
export interface StaffScope {
  description: string;
  /** The keys the caller (token subject) is assigned to; read once per request. */
  load(db: DataSource, subject: string): Promise<Set<string>>;
  /** For each type the scope applies to: the key of a record, compared with the assignments. */
  keyOf: Record<string, (row: Record<string | symbol, unknown>) => string | undefined>;
}

export interface SubgraphPolicy {
  owner: ServiceName;
  /** Visible to every verified caller: entity keys, pagination, federation plumbing. */
  public: string[];
  /** Only the owner agency sees these. `Type.*` covers a whole type. */
  ownerOnly: string[];
  /** Owner-only fields no agreement may ever grant (loading such an agreement fails). */
  neverShared: string[];
  neverSharedReason: string;
  /** Named selections of records an agreement may be limited to (`records:` in the YAML). */
  recordScopes: Record<string, RecordScope>;
  /** Named selections of records an owner role may be limited to (`records:` in schema/roles). */
  staffScopes?: Record<string, StaffScope>;
  /**
   * A notice that must travel with any release of this record's data to another agency (e.g. 42
   * CFR 2.32). A type that can carry one has a public field named NOTICE_FIELD answering it, and
   * the record's fields (its id aside) are released only in a selection that also selects it.
   */
  noticeFor?(typeName: string, row: Record<string | symbol, unknown>): string | undefined;
}

/** The field on a record that carries the notice its disclosure requires (null when none applies). */
export const NOTICE_FIELD = 'redisclosureNotice';

/** Problems with a policy itself: names that are not in the schema, never-shared not owner-only. */
export function checkPolicy(schema: GraphQLSchema, policy: SubgraphPolicy): string[] {
  const problems: string[] = [];
  const all = coordinatesOf(schema);
  for (const pattern of [...policy.public, ...policy.ownerOnly, ...policy.neverShared]) {
    if (!all.some((c) => coordinateMatches(pattern, c))) problems.push(`policy names ${pattern}, which the ${policy.owner} schema does not have`);
  }
  for (const pattern of policy.neverShared) {
    if (!policy.ownerOnly.some((p) => p === pattern || coordinateMatches(p, pattern))) problems.push(`${pattern} is never shared, so it must be listed owner-only too`);
  }
  for (const [name, scope] of Object.entries(policy.recordScopes)) {
    if (!schema.getType(scope.type)) problems.push(`record scope ${name} names type ${scope.type}, which the schema does not have`);
  }
  return problems;
}

/** Federation's own fields, present in every subgraph schema. */
export const FEDERATION_PLUMBING = ['Query._service', 'Query._entities', '_Service.sdl'];

export function coordinateMatches(pattern: string, coordinate: string): boolean {
  return pattern === coordinate || (pattern.endsWith('.*') && coordinate.startsWith(pattern.slice(0, -1)));
}

export type Classification = 'public' | 'owner-only' | 'granted' | 'unclassified';

export interface ClassifiedField {
  coordinate: string;
  classification: Classification;
  /** For granted fields: the agreements that grant it. */
  agreements: string[];
}

/** Every field of the subgraph's object types (introspection types aside). */
export function coordinatesOf(schema: GraphQLSchema): string[] {
  const coordinates: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) coordinates.push(`${type.name}.${field}`);
  }
  return coordinates.sort();
}

export function classifyFields(schema: GraphQLSchema, policy: SubgraphPolicy, agreements: Agreement[]): ClassifiedField[] {
  const own = agreements.filter((a) => a.dataOwner === policy.owner);
  return coordinatesOf(schema).map((coordinate) => {
    const granting = own.filter((a) => a.fields.includes(coordinate)).map((a) => a.id);
    let classification: Classification = 'unclassified';
    if ([...policy.public, ...FEDERATION_PLUMBING].some((p) => coordinateMatches(p, coordinate))) classification = 'public';
    else if (policy.ownerOnly.some((p) => coordinateMatches(p, coordinate))) classification = 'owner-only';
    else if (granting.length > 0) classification = 'granted';
    return { coordinate, classification, agreements: granting };
  });
}
