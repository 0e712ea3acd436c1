/**
 * The sharing matrix: for every agency × role × purpose and every field of every subgraph, what
 * the agreements in force on a day decide before looking at any record.
 */
import { SERVICES, ServiceName } from '../config';
import { PURPOSES, Purpose, ROLES } from '../auth/vocabulary';
import { Agreement, grants, inForce } from './agreements';
import { FEDERATION_PLUMBING, SubgraphPolicy, coordinateMatches } from './classification';
import { RolePolicy, roleCell } from './roles';

export type Cell =
  | { kind: 'owner' }
  | { kind: 'public' }
  | { kind: 'released'; agreements: string[] }
  | { kind: 'conditional'; agreements: string[]; conditions: string[] }
  | { kind: 'denied'; reason: string; agreements: string[] };

export interface Caller {
  agency: ServiceName;
  role: string;
  purpose: Purpose;
}

export const ALL_CALLERS: Caller[] = SERVICES.flatMap((agency) =>
  ROLES[agency].flatMap((role) => PURPOSES.map((purpose) => ({ agency, role, purpose }))),
);

/**
 * The owner's own staff are decided by the role policy (`roles`): granted (`R`, the grant), granted
 * for assigned records only (`C`), or refused. Without one, the owner's cells read `owner`.
 */
export function cellFor(policy: SubgraphPolicy, agreements: Agreement[], coordinate: string, caller: Caller, day: string, roles?: RolePolicy): Cell {
  const isPublic = [...policy.public, ...FEDERATION_PLUMBING].some((p) => coordinateMatches(p, coordinate));
  if (caller.agency === policy.owner) {
    if (!roles) return { kind: 'owner' };
    if (isPublic) return { kind: 'public' };
    const cell = roleCell(roles, coordinate, caller.role, caller.purpose);
    if (cell.kind === 'granted') return { kind: 'released', agreements: [cell.grant.id] };
    if (cell.kind === 'scoped') return { kind: 'conditional', agreements: cell.grants.map((g) => g.id), conditions: cell.grants.map((g) => `${g.id}: records ${g.records}`) };
    return { kind: 'denied', reason: cell.reason, agreements: cell.grants };
  }
  if (isPublic) return { kind: 'public' };
  const granting = agreements.filter((a) => a.dataOwner === policy.owner && a.fields.includes(coordinate));
  if (policy.ownerOnly.some((p) => coordinateMatches(p, coordinate)) || granting.length === 0) {
    return { kind: 'denied', reason: 'OWNER_ONLY', agreements: [] };
  }
  const forWho = granting.filter((a) => grants(a, caller.agency, caller.role));
  if (!forWho.length) return { kind: 'denied', reason: 'NO_AGREEMENT', agreements: [] };
  const forPurpose = forWho.filter((a) => a.purposes.includes(caller.purpose));
  if (!forPurpose.length) return { kind: 'denied', reason: 'PURPOSE_NOT_COVERED', agreements: forWho.map((a) => a.id) };
  const current = forPurpose.filter((a) => inForce(a, day));
  if (!current.length) {
    const early = forPurpose.some((a) => a.effective > day);
    return { kind: 'denied', reason: early ? 'AGREEMENT_NOT_YET_IN_FORCE' : 'AGREEMENT_EXPIRED', agreements: forPurpose.map((a) => a.id) };
  }
  // A record scope decides for its records and for everything under them.
  const conditions = current.flatMap((a) => [
    ...(a.records ? [`${a.id}: records ${a.records}`] : []),
    ...(a.consentRequired ? [`${a.id}: consent`] : []),
  ]);
  const unconditional = current.filter((a) => !a.consentRequired && !a.records);
  if (unconditional.length) return { kind: 'released', agreements: current.map((a) => a.id) };
  return { kind: 'conditional', agreements: current.map((a) => a.id), conditions };
}

export const CELL_MARK: Record<Cell['kind'], string> = { owner: 'O', public: 'P', released: 'R', conditional: 'C', denied: '.' };
