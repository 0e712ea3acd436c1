/**
 * Role policies as data: one YAML file per agency in schema/roles/, beside the agreements. They
 * decide what the owner agency's OWN staff may read and which mutations they may call, by role and
 * purpose, deny by default; each grant carries its legal basis. They also declare which of the
 * agency's coordinates are sensitive (reads of them by the agency's own staff are recorded in the
 * access log). Loading checks the shape; checking against the subgraph's schema and policy checks
 * every role, purpose, coordinate and record scope named; any problem stops startup with the file
 * and the problem named.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { GraphQLSchema } from 'graphql';
import { SERVICES, ServiceName } from '../config';
import { PURPOSES, Purpose, ROLES, isAgency, isPurpose } from '../auth/vocabulary';
import { AgreementError } from './agreements';
import { FEDERATION_PLUMBING, SubgraphPolicy, coordinateMatches, coordinatesOf } from './classification';
import { ROOT } from '../paths';

export const ROLES_DIR = path.join(ROOT, 'schema', 'roles');

export interface RoleGrant {
  /** `<agency>/<role>#<n>`, as the access log names it. */
  id: string;
  role: string;
  purposes: Purpose[];
  /** Coordinate patterns (`Type.field`, `Type.*`, `*` for every read), mutations as `Mutation.<name>` or `Mutation.*`. */
  fields: string[];
  /** Patterns taken back out of `fields`. */
  except: string[];
  /** A staff scope the subgraph's policy defines: only those records. */
  records?: string;
  legalBasis: string;
}

export interface RoleWithheld {
  fields: string[];
  reason: string;
}

export interface RolePolicy {
  agency: ServiceName;
  version: number;
  roles: Record<string, { description: string; grants: RoleGrant[]; withheld: RoleWithheld[] }>;
  /** Coordinate patterns whose reads by the owner's staff go to the access log (every write does). */
  sensitive: { fields: string[]; reason: string }[];
  file: string;
}

export class RolePolicyError extends AgreementError {
  override name = 'RolePolicyError';
}

/** `*` (everything), `Type.*` or `Type.field`. */
export function patternMatches(pattern: string, coordinate: string): boolean {
  return pattern === '*' || coordinateMatches(pattern, coordinate);
}

/** Whether a grant covers a coordinate; `*` in `fields` means every field read, never a mutation (those are listed under `mutations`). */
export function grantCovers(grant: RoleGrant, coordinate: string): boolean {
  const write = coordinate.startsWith('Mutation.');
  return grant.fields.some((p) => (p === '*' ? !write : patternMatches(p, coordinate))) && !grant.except.some((p) => patternMatches(p, coordinate));
}

export function isSensitive(policy: RolePolicy, coordinate: string): boolean {
  return policy.sensitive.some((s) => s.fields.some((p) => patternMatches(p, coordinate)));
}

const TOP = ['agency', 'version', 'notes', 'sensitive', 'roles'];
const ROLE_KEYS = ['description', 'grants', 'withheld'];
const GRANT_KEYS = ['purposes', 'fields', 'mutations', 'except', 'records', 'legalBasis'];
const PATTERN = /^(\*|[_A-Za-z]\w*\.(\*|[_A-Za-z]\w*))$/;

/** Parses and checks one role policy's shape. Problems are collected, then thrown together. */
export function parseRolePolicy(text: string, file: string): RolePolicy {
  const problems: string[] = [];
  let doc: Record<string, any>;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new RolePolicyError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new RolePolicyError(`${file}: must be a YAML mapping`);
  for (const key of Object.keys(doc)) if (!TOP.includes(key)) problems.push(`unknown key "${key}"`);
  const agency = doc.agency;
  if (!isAgency(agency)) throw new RolePolicyError(`${file}: agency must be one of ${SERVICES.join(', ')}`);
  if (!Number.isInteger(doc.version) || doc.version < 1) problems.push('version must be a whole number from 1');
  const patterns = (where: string, value: unknown, prefix = ''): string[] => {
    if (!Array.isArray(value)) {
      problems.push(`${where} must be a list`);
      return [];
    }
    const out = value.map((v) => `${prefix}${String(v)}`);
    for (const p of out) if (!PATTERN.test(p)) problems.push(`${where} names "${p}", not a Type.field coordinate, Type.* or *`);
    return out;
  };
  const sensitive: RolePolicy['sensitive'] = [];
  for (const [i, s] of (Array.isArray(doc.sensitive) ? doc.sensitive : []).entries()) {
    if (typeof s?.reason !== 'string' || !s.reason.trim()) problems.push(`sensitive[${i}].reason must be non-empty text`);
    sensitive.push({ fields: patterns(`sensitive[${i}].fields`, s?.fields), reason: String(s?.reason ?? '') });
  }
  if (!Array.isArray(doc.sensitive)) problems.push('sensitive must be a list (of { fields, reason })');
  const roles: RolePolicy['roles'] = {};
  const rolesDoc = doc.roles && typeof doc.roles === 'object' ? (doc.roles as Record<string, any>) : {};
  if (!doc.roles || typeof doc.roles !== 'object') problems.push('roles must be a mapping of role to grants');
  for (const [role, body] of Object.entries(rolesDoc)) {
    if (!ROLES[agency].includes(role)) {
      problems.push(`roles names "${role}", not a role of ${agency} (${ROLES[agency].join(', ')})`);
      continue;
    }
    for (const key of Object.keys(body ?? {})) if (!ROLE_KEYS.includes(key)) problems.push(`roles.${role}: unknown key "${key}"`);
    const grants: RoleGrant[] = [];
    for (const [i, g] of (Array.isArray(body?.grants) ? body.grants : []).entries()) {
      const where = `roles.${role}.grants[${i}]`;
      for (const key of Object.keys(g ?? {})) if (!GRANT_KEYS.includes(key)) problems.push(`${where}: unknown key "${key}"`);
      const purposes = Array.isArray(g?.purposes) ? g.purposes : [];
      if (purposes.length === 0) problems.push(`${where}.purposes must be a non-empty list`);
      for (const p of purposes) if (!isPurpose(p)) problems.push(`${where}.purposes names "${String(p)}", not one of ${PURPOSES.join(', ')}`);
      const reads = g?.fields === undefined ? [] : patterns(`${where}.fields`, g.fields);
      for (const p of reads) if (p.startsWith('Mutation.')) problems.push(`${where}.fields names ${p}: list mutations under mutations`);
      const fields = [
        ...reads,
        ...(g?.mutations === undefined ? [] : patterns(`${where}.mutations`, g.mutations, 'Mutation.')),
      ];
      if (fields.length === 0) problems.push(`${where} must list fields or mutations`);
      if (typeof g?.legalBasis !== 'string' || !g.legalBasis.trim()) problems.push(`${where}.legalBasis must be non-empty text`);
      if (g?.records !== undefined && (typeof g.records !== 'string' || !/^[a-z_]+$/.test(g.records))) problems.push(`${where}.records must name a staff scope (lower_case)`);
      grants.push({
        id: `${agency}/${role}#${i + 1}`,
        role,
        purposes: purposes as Purpose[],
        fields,
        except: g?.except === undefined ? [] : patterns(`${where}.except`, g.except),
        records: g?.records,
        legalBasis: String(g?.legalBasis ?? ''),
      });
    }
    if (body?.grants !== undefined && !Array.isArray(body.grants)) problems.push(`roles.${role}.grants must be a list`);
    const withheld: RoleWithheld[] = [];
    for (const [i, w] of (Array.isArray(body?.withheld) ? body.withheld : []).entries()) {
      if (typeof w?.reason !== 'string' || !w.reason.trim()) problems.push(`roles.${role}.withheld[${i}].reason must be non-empty text`);
      withheld.push({ fields: patterns(`roles.${role}.withheld[${i}].fields`, w?.fields), reason: String(w?.reason ?? '') });
    }
    if (typeof body?.description !== 'string' || !body.description.trim()) problems.push(`roles.${role}.description must be non-empty text`);
    roles[role] = { description: String(body?.description ?? ''), grants, withheld };
  }
  // Deny by default, but never by omission: every role of the agency is written down.
  for (const role of ROLES[agency]) if (!(role in rolesDoc)) problems.push(`roles must list every ${agency} role; "${role}" is missing (give it grants: [] to deny it everything)`);
  if (problems.length) throw new RolePolicyError(`${file}: ${problems.join('; ')}`);
  return { agency, version: doc.version, roles, sensitive, file };
}

/** Checks a role policy against its subgraph's schema and policy. */
export function checkRolePolicy(policy: RolePolicy, schema: GraphQLSchema, subgraphPolicy: SubgraphPolicy): void {
  const problems: string[] = [];
  const all = coordinatesOf(schema);
  const exists = (p: string) => all.some((c) => patternMatches(p, c));
  const isPublic = (c: string) => [...subgraphPolicy.public, ...FEDERATION_PLUMBING].some((p) => coordinateMatches(p, c));
  const check = (where: string, p: string) => {
    if (!exists(p)) problems.push(`${where} names ${p}, which the ${policy.agency} schema does not have`);
    else if (p !== '*' && !p.endsWith('.*') && isPublic(p)) problems.push(`${where} names ${p}, which is public already`);
  };
  for (const [i, s] of policy.sensitive.entries()) for (const p of s.fields) check(`sensitive[${i}]`, p);
  for (const [role, body] of Object.entries(policy.roles)) {
    for (const [i, g] of body.grants.entries()) {
      for (const p of [...g.fields, ...g.except]) check(`roles.${role}.grants[${i}]`, p);
      const scope = g.records ? subgraphPolicy.staffScopes?.[g.records] : undefined;
      if (g.records && !scope) {
        problems.push(`roles.${role}.grants[${i}].records names "${g.records}", which the ${policy.agency} policy does not define ` +
          `(it has: ${Object.keys(subgraphPolicy.staffScopes ?? {}).join(', ') || 'none'})`);
      }
      if (scope) {
        const unkeyed = all.filter((c) => grantCovers(g, c) && !scope.keyOf[c.split('.')[0]]);
        if (unkeyed.length) problems.push(`roles.${role}.grants[${i}] limits ${unkeyed.join(', ')} to "${g.records}", which does not apply to their types`);
      }
    }
    for (const [i, w] of body.withheld.entries()) {
      for (const p of w.fields) {
        check(`roles.${role}.withheld[${i}]`, p);
        const granted = all.filter((c) => patternMatches(p, c) && body.grants.some((g) => grantCovers(g, c)));
        if (granted.length) problems.push(`roles.${role}.withheld[${i}] names ${p}, but ${granted.join(', ')} is granted to ${role}`);
      }
    }
  }
  if (problems.length) throw new RolePolicyError(`${policy.file}: ${problems.join('; ')}`);
}

/** Reads every agency's role policy from `directory`; each agency has exactly one. */
export function loadRolePolicies(directory = ROLES_DIR): Record<ServiceName, RolePolicy> {
  const out = {} as Record<ServiceName, RolePolicy>;
  for (const f of fs.readdirSync(directory).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = path.relative(process.cwd(), path.join(directory, f));
    const policy = parseRolePolicy(fs.readFileSync(path.join(directory, f), 'utf8'), file);
    if (out[policy.agency]) throw new RolePolicyError(`${file}: a role policy for ${policy.agency} is already given by ${out[policy.agency].file}`);
    out[policy.agency] = policy;
  }
  for (const agency of SERVICES) if (!out[agency]) throw new RolePolicyError(`${path.relative(process.cwd(), directory)}: no role policy for ${agency} (deny by default needs it written down)`);
  return out;
}

export type RoleCell =
  | { kind: 'granted'; grant: RoleGrant }
  | { kind: 'scoped'; grants: RoleGrant[] }
  | { kind: 'denied'; reason: 'ROLE_NOT_PERMITTED' | 'PURPOSE_NOT_COVERED'; grants: string[]; withheld?: string };

/** What the role policy decides for `coordinate` (not public) for an owner caller, before any record. */
export function roleCell(policy: RolePolicy, coordinate: string, role: string, purpose: string): RoleCell {
  const body = policy.roles[role];
  const forRole = (body?.grants ?? []).filter((g) => grantCovers(g, coordinate));
  if (forRole.length === 0) {
    const withheld = body?.withheld.find((w) => w.fields.some((p) => patternMatches(p, coordinate)))?.reason;
    return { kind: 'denied', reason: 'ROLE_NOT_PERMITTED', grants: [], ...(withheld ? { withheld } : {}) };
  }
  const forPurpose = forRole.filter((g) => g.purposes.includes(purpose as Purpose));
  if (forPurpose.length === 0) return { kind: 'denied', reason: 'PURPOSE_NOT_COVERED', grants: forRole.map((g) => g.id) };
  const unscoped = forPurpose.find((g) => !g.records);
  return unscoped ? { kind: 'granted', grant: unscoped } : { kind: 'scoped', grants: forPurpose };
}
