/**
 * Memoranda of understanding as data: one YAML file per agreement in schema/mous/. Loading checks
 * every agreement's shape and, against the subgraphs' schemas and policies, every coordinate it
 * names; any problem stops startup with the file and the problem named.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { GraphQLSchema, isObjectType } from 'graphql';
import { SERVICES, ServiceName } from '../config';
import { isCalendarDate } from '../scalars';
import { PURPOSES, Purpose, ROLES, isAgency, isPurpose } from '../auth/vocabulary';
import { SubgraphPolicy, coordinateMatches } from './classification';
import { ROOT } from '../paths';

export const MOU_DIR = path.join(ROOT, 'schema', 'mous');

export interface Grantee {
  /** An agency, or '*' for any agency (e.g. every agency's analysts). */
  agency: ServiceName | '*';
  roles: string[];
}

export interface Agreement {
  id: string;
  version: number;
  title: string;
  parties: ServiceName[];
  dataOwner: ServiceName;
  grantees: Grantee[];
  purposes: Purpose[];
  effective: string;
  expires: string;
  consentRequired: boolean;
  /** A record scope the owner's policy defines: only those records are shared. */
  records?: string;
  fields: string[];
  legalBasis: string;
  notes?: string;
  /** The file it was read from, relative to the repository. */
  file: string;
}

export class AgreementError extends Error {
  override name = 'AgreementError';
}

const KEYS = ['id', 'version', 'title', 'parties', 'dataOwner', 'grantees', 'purposes', 'effective', 'expires',
  'consentRequired', 'records', 'fields', 'legalBasis', 'notes'];

/** Parses and checks one agreement's shape. Problems are collected, then thrown together. */
export function parseAgreement(text: string, file: string): Agreement {
  const problems: string[] = [];
  let doc: Record<string, unknown>;
  try {
    doc = YAML.parse(text);
  } catch (error) {
    throw new AgreementError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new AgreementError(`${file}: must be a YAML mapping`);
  for (const key of Object.keys(doc)) if (!KEYS.includes(key)) problems.push(`unknown key "${key}"`);
  const str = (key: string) => {
    const value = doc[key];
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${key} must be non-empty text`);
    return typeof value === 'string' ? value : '';
  };
  const date = (key: string) => {
    const value = doc[key] instanceof Date ? (doc[key] as Date).toISOString().slice(0, 10) : doc[key];
    if (typeof value !== 'string' || !isCalendarDate(value)) problems.push(`${key} must be a date written YYYY-MM-DD`);
    return typeof value === 'string' ? value : '';
  };
  const list = (key: string): unknown[] => {
    const value = doc[key];
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(`${key} must be a non-empty list`);
      return [];
    }
    return value;
  };

  const id = str('id');
  if (id && !/^[A-Z0-9][A-Z0-9-]{2,63}$/.test(id)) problems.push('id must be capitals, digits and dashes (e.g. MOU-2026-001)');
  const version = doc.version;
  if (!Number.isInteger(version) || (version as number) < 1) problems.push('version must be a whole number from 1');
  const title = str('title');
  const parties = list('parties');
  for (const p of parties) if (!isAgency(p)) problems.push(`parties names "${String(p)}", which is not an agency (${SERVICES.join(', ')})`);
  const dataOwner = doc.dataOwner;
  if (!isAgency(dataOwner)) problems.push(`dataOwner must be one of ${SERVICES.join(', ')}`);
  else if (!parties.includes(dataOwner)) problems.push('dataOwner must be one of the parties');
  const grantees: Grantee[] = [];
  for (const [i, g] of list('grantees').entries()) {
    const grantee = g as { agency?: unknown; roles?: unknown };
    if (!grantee || typeof grantee !== 'object') {
      problems.push(`grantees[${i}] must be a mapping with agency and roles`);
      continue;
    }
    const agency = grantee.agency;
    if (agency !== '*' && !isAgency(agency)) {
      problems.push(`grantees[${i}].agency must be an agency or "*"`);
      continue;
    }
    if (agency === dataOwner) problems.push(`grantees[${i}] is the data owner, which needs no agreement`);
    if (agency !== '*' && !parties.includes(agency)) problems.push(`grantees[${i}].agency ${agency} is not a party`);
    const roles = Array.isArray(grantee.roles) ? grantee.roles : [];
    if (roles.length === 0) problems.push(`grantees[${i}].roles must be a non-empty list`);
    const known = agency === '*' ? [...new Set(Object.values(ROLES).flat())] : ROLES[agency as ServiceName];
    for (const role of roles) {
      if (!known.includes(role)) problems.push(`grantees[${i}].roles names "${role}", not a role of ${agency === '*' ? 'any agency' : agency}`);
    }
    grantees.push({ agency: agency as ServiceName | '*', roles: roles as string[] });
  }
  const purposes = list('purposes');
  for (const p of purposes) if (!isPurpose(p)) problems.push(`purposes names "${String(p)}", not one of ${PURPOSES.join(', ')}`);
  const effective = date('effective');
  const expires = date('expires');
  if (effective && expires && expires < effective) problems.push('expires must not be before effective');
  if (typeof doc.consentRequired !== 'boolean') problems.push('consentRequired must be true or false');
  if (doc.records !== undefined && (typeof doc.records !== 'string' || !/^[a-z_]+$/.test(doc.records))) {
    problems.push('records must name a record scope (lower_case)');
  }
  const fields = list('fields');
  for (const f of fields) {
    if (typeof f !== 'string' || !/^[_A-Za-z]\w*\.[_A-Za-z]\w*$/.test(f)) problems.push(`fields names "${String(f)}", not a Type.field coordinate`);
  }
  if (new Set(fields).size !== fields.length) problems.push('fields lists a coordinate twice');
  const legalBasis = str('legalBasis');
  if (doc.notes !== undefined && typeof doc.notes !== 'string') problems.push('notes must be text');

  if (problems.length > 0) throw new AgreementError(`${file}: ${problems.join('; ')}`);
  return {
    id, version: version as number, title, parties: parties as ServiceName[], dataOwner: dataOwner as ServiceName,
    grantees, purposes: purposes as Purpose[], effective, expires, consentRequired: doc.consentRequired as boolean,
    records: doc.records as string | undefined, fields: fields as string[], legalBasis, notes: doc.notes as string | undefined, file,
  };
}

/** Checks an owner's agreements against its schema and policy. */
export function checkAgainstSubgraph(agreement: Agreement, schema: GraphQLSchema, policy: SubgraphPolicy): void {
  const problems: string[] = [];
  for (const coordinate of agreement.fields) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type) || !type.getFields()[fieldName]) {
      problems.push(`fields names ${coordinate}, which the ${agreement.dataOwner} subgraph does not have`);
      continue;
    }
    if (policy.neverShared.some((p) => coordinateMatches(p, coordinate))) {
      problems.push(`fields names ${coordinate}, which never leaves ${agreement.dataOwner} (${policy.neverSharedReason})`);
    } else if (policy.ownerOnly.some((p) => coordinateMatches(p, coordinate))) {
      problems.push(`fields names ${coordinate}, which the ${agreement.dataOwner} policy classifies owner-only`);
    } else if (policy.public.some((p) => coordinateMatches(p, coordinate))) {
      problems.push(`fields names ${coordinate}, which is public already`);
    }
  }
  if (agreement.records && !policy.recordScopes[agreement.records]) {
    problems.push(`records names "${agreement.records}", which the ${agreement.dataOwner} policy does not define ` +
      `(it has: ${Object.keys(policy.recordScopes).join(', ') || 'none'})`);
  }
  if (problems.length > 0) throw new AgreementError(`${agreement.file}: ${problems.join('; ')}`);
}

/** Reads every agreement in `directory`; duplicate ids are refused. */
export function loadAgreements(directory = MOU_DIR): Agreement[] {
  const files = fs.readdirSync(directory).filter((f) => /\.ya?ml$/.test(f)).sort();
  const agreements = files.map((f) =>
    parseAgreement(fs.readFileSync(path.join(directory, f), 'utf8'), path.relative(process.cwd(), path.join(directory, f))),
  );
  const seen = new Map<string, string>();
  for (const a of agreements) {
    const other = seen.get(a.id);
    if (other) throw new AgreementError(`${a.file}: id ${a.id} is already used by ${other}`);
    seen.set(a.id, a.file);
  }
  return agreements;
}

/** True while the agreement is in force on `today` (YYYY-MM-DD). */
export function inForce(agreement: Agreement, today: string): boolean {
  return agreement.effective <= today && today <= agreement.expires;
}

export function grants(agreement: Agreement, agency: ServiceName, role: string): boolean {
  return agreement.grantees.some((g) => (g.agency === '*' || g.agency === agency) && g.roles.includes(role));
}
