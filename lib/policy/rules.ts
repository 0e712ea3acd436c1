/**
 * Compiles a subgraph's agreements and policy into a graphql-shield rule tree (every field of
 * the schema gets a rule; the fallback denies), plus the record filter that keeps records no
 * agreement covers out of lists entirely (so a refusal never reveals that a record exists).
 *
 * Deciding a field for a caller: the owner agency sees its own fields; public fields are seen by
 * every verified caller; anything else needs an agreement in force today that grants the field
 * to the caller's agency and role for the purpose they state, covers the record (`records:`), and,
 * where it asks for consent, a consent in force for the person the record is about.
 */
import DataLoader from 'dataloader';
import { FieldNode, GraphQLError, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, getNamedType, isAbstractType, isObjectType, isUnionType, responsePathAsArray } from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields';
import { IMiddleware, IMiddlewareFieldMap } from 'graphql-middleware';
import { IRules, deny, rule } from 'graphql-shield';
import type { Caller } from '../auth/identity';
import { ServiceName } from '../config';
import { lightGraphQLError } from '../errors';
import { Agreement, grants, inForce } from './agreements';
import { DisclosureCollector, Grant, Subject, grant } from './audit';
import { FEDERATION_PLUMBING, NOTICE_FIELD, SubgraphPolicy, coordinateMatches, coordinatesOf } from './classification';
import { ConsentRecord, consentInForce } from './consent';
import type { DataSource } from 'typeorm';
import { PURPOSES, ROLES } from '../auth/vocabulary';
import { RoleCell, RoleGrant, RolePolicy, isSensitive, roleCell } from './roles';
import { PendingWrite } from './audit';

export type DenialReason =
  | 'OWNER_ONLY'
  | 'NO_AGREEMENT'
  | 'PURPOSE_NOT_COVERED'
  | 'AGREEMENT_EXPIRED'
  | 'AGREEMENT_NOT_YET_IN_FORCE'
  | 'CONSENT_MISSING'
  | 'CONSENT_EXPIRED'
  | 'CONSENT_REVOKED'
  | 'UNCLASSIFIED'
  // The owner's own staff, decided by the role policy (schema/roles):
  | 'ROLE_NOT_PERMITTED'
  | 'RECORD_NOT_ASSIGNED'
  // What another agency is told when a record's own conditions (consent, record scope) withhold a
  // field: the same whether the person never had a record, has one without consent, or had a
  // consent that was revoked or expired. The precise reason goes only to the owner's log.
  | 'RECORD_WITHHELD'
  // A record whose release must carry a notice (42 CFR 2.32), asked for without its notice field.
  | 'NOTICE_NOT_SELECTED';

/** What a subgraph's resolvers and rules need of the request. */
export interface PolicyContext {
  caller?: Caller;
  /** The owner's database, for staff scopes (the records a member of staff is assigned to). */
  db?: DataSource;
  policy?: RequestPolicy;
  disclosures?: DisclosureCollector;
}

/** Per-request policy state. */
export interface RequestPolicy {
  today: string;
  /** The instant the request started, by the policy clock (consent revocations are compared with it). */
  now?: Date;
  /** Caller-level decisions, one per coordinate per request. */
  decisions: Map<string, CallerDecision>;
  /** The consents on file for a person, to the caller's agency (batched). */
  consents: DataLoader<string, ConsentRecord[]>;
  /** Consents already loaded this request, for deciding without waiting. */
  knownConsents: Map<string, ConsentRecord[]>;
  /** Notices that must travel with data released in this response (e.g. 42 CFR 2.32). */
  notices: Set<string>;
  /** Whether a selection (a field's nodes) asks for the notice field of its records; per request, as variables decide @include/@skip. */
  noticeSelected?: WeakMap<readonly FieldNode[], boolean>;
  /** Writes by the owner's staff, decided; their outcome is logged from the response (lib/policy/audit.ts). */
  writes?: PendingWrite[];
  /** The caller's assignments per staff scope, read once per request. */
  staff?: Map<string, Set<string> | Promise<Set<string>>>;
}

interface CallerDecision {
  candidates: Agreement[];
  denial?: { reason: DenialReason; agreements: string[] };
  /** True when a candidate limits records or needs consent: decide row by row. */
  perRecord: boolean;
}

/** One field's decision: true, a refusal (an Error), or either later. */
export type Decide = (parent: any, args: unknown, ctx: PolicyContext, info: GraphQLResolveInfo) => true | Error | Promise<true | Error>;

export interface CompiledPolicy {
  owner: ServiceName;
  /** The graphql-shield rule tree, run by either executor (lib/policy/executor.ts). */
  rules: IRules;
  /** Middleware for object-returning fields: record context and the record filter. */
  records: IMiddlewareFieldMap;
  /** Types whose records are filtered by agreement coverage. */
  scopedTypes: string[];
}

const SUBJECT = Symbol('subject');
/** The records a record hangs from, by type: a session knows its enrollment. */
const ANCESTORS = Symbol('ancestors');
const NOTICE = Symbol('notice');
/** The notice field (its coordinate) selected with the record that carries the notice; absent when the selection lacks it. */
const NOTICE_SELECTED = Symbol('noticeSelected');

type Row = Record<string | symbol, unknown>;

/** The person and case a record is about: its own ids, else those of the record it hangs from. */
export function subjectOf(typeName: string, row: Row | undefined): Subject {
  if (!row || typeof row !== 'object') return {};
  if (typeName === 'Case') return { caseId: row.id as string };
  if (typeName === 'Person') return { personId: row.id as string };
  const inherited = (row[SUBJECT] as Subject | undefined) ?? {};
  return {
    // A protective order is about the person it protects.
    personId: (row.personId as string | undefined) ?? (row.protectedPersonId as string | undefined) ?? inherited.personId,
    caseId: (row.caseId as string | undefined) ?? inherited.caseId,
  };
}

const REASON_TEXT: Record<DenialReason, (c: Caller, owner: string, ids: string[]) => string> = {
  OWNER_ONLY: (_c, owner) => `only ${owner} sees this field`,
  NO_AGREEMENT: (c) => `no agreement grants it to ${c.agency} ${c.role}`,
  PURPOSE_NOT_COVERED: (c, owner, ids) =>
    c.agency === owner
      ? `the ${owner} role grants for ${c.role} (${ids.join(', ')}) do not cover the purpose ${c.purpose}`
      : `the agreements granting it to ${c.agency} ${c.role} (${ids.join(', ')}) do not cover the purpose ${c.purpose}`,
  ROLE_NOT_PERMITTED: (c, owner) => `the ${owner} role policy does not grant it to ${c.role}`,
  RECORD_NOT_ASSIGNED: (c, _o, ids) => `the role grant (${ids.join(', ')}) covers only the records ${c.role} ${c.subject} is assigned to`,
  RECORD_WITHHELD: (c) => `not released to ${c.agency} ${c.role} for ${c.purpose} for this record`,
  AGREEMENT_EXPIRED: (_c, _o, ids) => `the agreement granting it (${ids.join(', ')}) has expired`,
  AGREEMENT_NOT_YET_IN_FORCE: (_c, _o, ids) => `the agreement granting it (${ids.join(', ')}) is not yet in force`,
  CONSENT_MISSING: (c, _o, ids) => `the agreement (${ids.join(', ')}) requires the person's consent to disclosure to ${c.agency}, and none is on file`,
  CONSENT_EXPIRED: (_c, _o, ids) => `the person's consent required by ${ids.join(', ')} has expired`,
  CONSENT_REVOKED: (_c, _o, ids) => `the person has revoked the consent required by ${ids.join(', ')}`,
  UNCLASSIFIED: () => 'the field is not classified by any policy',
  NOTICE_NOT_SELECTED: () =>
    `this record's data may be disclosed only together with its redisclosure notice (42 CFR 2.32): select ${NOTICE_FIELD} on the record in the same selection`,
};

/**
 * A refusal: an answer, not a fault. A caseload response can carry hundreds, so it is a
 * lightGraphQLError (no constructor run, no stack, no source locations to compute). Given the
 * field's `info` it carries its path, so graphql-js keeps it as it is rather than wrapping it in a
 * second error. No `locations`: they would point into the gateway's subgraph operation, which the
 * client never sees.
 */
export function forbidden(coordinate: string, reason: DenialReason, caller: Caller, owner: string, agreements: string[] = [], info?: GraphQLResolveInfo): GraphQLError {
  return lightGraphQLError(`${coordinate} withheld: ${REASON_TEXT[reason](caller, owner, agreements)}.`, info ? responsePathAsArray(info.path) : undefined, {
    code: 'FORBIDDEN',
    coordinate,
    reason,
    ...(agreements.length ? { [caller.agency === owner ? 'grants' : 'agreements']: agreements } : {}),
  });
}

function unauthenticated() {
  return new GraphQLError('Unauthenticated: no verified caller', { extensions: { code: 'UNAUTHENTICATED' } });
}

/** Which agreements could release `coordinate` to the caller today, before looking at the record. */
function decideForCaller(granting: Agreement[], caller: Caller, today: string, typeName: string): CallerDecision {
  const forWho = granting.filter((a) => grants(a, caller.agency, caller.role));
  if (forWho.length === 0) return { candidates: [], perRecord: false, denial: { reason: 'NO_AGREEMENT', agreements: [] } };
  const forPurpose = forWho.filter((a) => a.purposes.includes(caller.purpose));
  if (forPurpose.length === 0) {
    return { candidates: [], perRecord: false, denial: { reason: 'PURPOSE_NOT_COVERED', agreements: forWho.map((a) => a.id) } };
  }
  const current = forPurpose.filter((a) => inForce(a, today));
  if (current.length === 0) {
    const early = forPurpose.filter((a) => a.effective > today);
    return {
      candidates: [],
      perRecord: false,
      denial: early.length
        ? { reason: 'AGREEMENT_NOT_YET_IN_FORCE', agreements: early.map((a) => a.id) }
        : { reason: 'AGREEMENT_EXPIRED', agreements: forPurpose.map((a) => a.id) },
    };
  }
  return { candidates: current, perRecord: current.some((a) => a.consentRequired || a.records !== undefined) && typeName !== 'Query' };
}

type RecordOutcome =
  | { ok: true; agreement: Agreement; consent?: ConsentRecord }
  | { ok: false; reason: DenialReason; agreements: string[] };

/** No role policy given: the owner's staff are refused everything but the public fields (deny by default). */
const NO_ROLES = (owner: ServiceName): RolePolicy => ({ agency: owner, version: 1, roles: {}, sensitive: [], file: '(none)' });

/** Precise reasons that would tell another agency something about the record: they are logged, and answered as RECORD_WITHHELD. */
const RECORD_REASONS = new Set<DenialReason>(['CONSENT_MISSING', 'CONSENT_EXPIRED', 'CONSENT_REVOKED', 'NO_AGREEMENT']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who a write is about, from its input, when the ids have the shape of ids (nothing is loaded to check them). */
function writeSubject(args: unknown): Subject {
  const input = (args as { input?: Record<string, unknown> } | undefined)?.input;
  const id = (v: unknown) => (typeof v === 'string' && UUID.test(v) ? v : undefined);
  return { personId: id(input?.personId) ?? id(input?.protectedPersonId), caseId: id(input?.caseId) };
}

export function compilePolicy(schema: GraphQLSchema, policy: SubgraphPolicy, allAgreements: Agreement[], rolePolicy?: RolePolicy): CompiledPolicy {
  const owner = policy.owner;
  const roles = rolePolicy ?? NO_ROLES(owner);
  if (roles.agency !== owner) throw new Error(`${roles.file} is the role policy of ${roles.agency}, not of ${owner}`);
  const mutationType = schema.getMutationType()?.name;
  const agreements = allAgreements.filter((a) => a.dataOwner === owner);
  const scopeOf = (a: Agreement) => (a.records ? policy.recordScopes[a.records] : undefined);
  // Where an agreement asking for consent (without a record scope of its own) grants a case's or a
  // person's list of records of some type (Case.shelterStays), those records are listed, like
  // scoped records, only where their person's consent covers them: a victim without consent has
  // no shelter stays, as far as the caller can tell.
  const entityTypes = entitiesOf(schema);
  const consentTypes = agreements
    .filter((a) => a.consentRequired && !a.records)
    .flatMap((a) => a.fields)
    .flatMap((f) => {
      const [typeName, fieldName] = f.split('.');
      const type = schema.getType(typeName);
      const target = isObjectType(type) && entityTypes.has(typeName) ? getNamedType(type.getFields()[fieldName]?.type) : undefined;
      return target && isObjectType(target) && !entityTypes.has(target.name) ? [target.name] : [];
    });
  const scopedTypes = [...new Set([...agreements.map((a) => scopeOf(a)?.type).filter((t): t is string => Boolean(t)), ...consentTypes])];
  // Fields that list filtered records: a case's list of them is released as a list; each record in it
  // is decided for its own person (Case.shelterStays under a consent agreement).
  const filteredLists = new Set(
    coordinatesOf(schema).filter((c) => {
      const [typeName, fieldName] = c.split('.');
      const type = schema.getType(typeName);
      return isObjectType(type) && scopedTypes.includes(getNamedType(type.getFields()[fieldName].type).name);
    }),
  );
  const isPublic = (c: string) => [...policy.public, ...FEDERATION_PLUMBING].some((p) => coordinateMatches(p, c));
  const isOwnerOnly = (c: string) => policy.ownerOnly.some((p) => coordinateMatches(p, c));
  const grantable = (c: string) => isPublic(c) || (!isOwnerOnly(c) && agreements.some((a) => a.fields.includes(c)));
  const partsOf = new Map(scopedTypes.map((t) => [t, recordsBeneath(schema, t, grantable)]));
  const coveredBy = new Map<Agreement, RecordOutcome>(agreements.map((a) => [a, { ok: true, agreement: a }]));
  const NOT_COVERED: RecordOutcome = { ok: false, reason: 'NO_AGREEMENT', agreements: [] };

  /**
   * Whether one of the candidate agreements covers this record, consent included. Answers
   * synchronously when the consents it needs are already known this request (so that the fields of
   * records released after a consent check resolve in the same tick, and their loaders batch).
   */
  function recordOutcome(candidates: Agreement[], typeName: string, coordinate: string, row: Row | undefined, ctx: PolicyContext): RecordOutcome | Promise<RecordOutcome> {
    const caller = ctx.caller!;
    const state = ctx.policy!;
    let best: RecordOutcome = NOT_COVERED;
    // A consent agreement's list of filtered records on a record about no one person (a case).
    let listUnder: Agreement | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const a = candidates[i];
      // A record scope applies to records of its type and to everything under them (a Part 2
      // enrollment's sessions are Part 2 data too); elsewhere (the Case listing enrollments) the
      // list itself is filtered instead.
      const scope = scopeOf(a);
      if (scope) {
        const scoped = scope.type === typeName ? row : (row?.[ANCESTORS] as Record<string, Row> | undefined)?.[scope.type];
        // A part of a scoped record (a session of an enrollment) that arrives without it can't be
        // placed: the scope applies, and without the record it excludes.
        const applies = scope.type === typeName || scoped !== undefined || partsOf.get(scope.type)?.has(typeName) === true;
        if (applies && !(scoped && scope.test(scoped as Record<string, unknown>))) continue;
      }
      if (!a.consentRequired) return coveredBy.get(a)!;
      const personId = subjectOf(typeName, row).personId;
      if (!personId) {
        if (filteredLists.has(coordinate)) listUnder ??= a;
        continue;
      }
      const known = state.knownConsents.get(personId);
      if (!known) {
        // Load, then decide again with the consents known.
        return state.consents.load(personId).then((consents) => {
          state.knownConsents.set(personId, consents);
          return recordOutcome(candidates.slice(i), typeName, coordinate, row, ctx);
        });
      }
      const outcome = consentInForce(known, caller.purpose, coordinate, state.today, state.now);
      if (outcome.ok) return { ok: true, agreement: a, consent: outcome.consent };
      best = { ok: false, reason: outcome.reason, agreements: [a.id] };
    }
    return listUnder ? coveredBy.get(listUnder)! : best;
  }

  function callerDecision(ctx: PolicyContext, coordinate: string, typeName: string, granting: Agreement[]): CallerDecision {
    const cache = ctx.policy!.decisions;
    let decision = cache.get(coordinate);
    if (!decision) cache.set(coordinate, (decision = decideForCaller(granting, ctx.caller!, ctx.policy!.today, typeName)));
    return decision;
  }

  // Who a record of each type is about, as the disclosure log asks it (one function per type).
  const subjectFns = new Map<string, (row: Row | undefined) => Subject>();
  const subjectFor = (typeName: string) => {
    let fn = subjectFns.get(typeName);
    if (!fn) subjectFns.set(typeName, (fn = (row: Row | undefined) => subjectOf(typeName, row)));
    return fn;
  };
  const releasedUnder = new Map(agreements.map((a) => [a, grant('RELEASED', { agreementId: a.id })]));
  // Consents are loaded per request: their grants are kept with them, so a record's fields find theirs.
  const releasedWithConsent = new WeakMap<ConsentRecord, Map<Agreement, Grant>>();
  const consentGrant = (agreement: Agreement, consent: ConsentRecord) => {
    let byAgreement = releasedWithConsent.get(consent);
    if (!byAgreement) releasedWithConsent.set(consent, (byAgreement = new Map()));
    let found = byAgreement.get(agreement);
    if (!found) byAgreement.set(agreement, (found = grant('RELEASED', { agreementId: agreement.id, consentId: consent.id })));
    return found;
  };

  const releaseGrant = (agreement: Agreement, consent?: ConsentRecord) => (consent ? consentGrant(agreement, consent) : releasedUnder.get(agreement)!);

  function release(ctx: PolicyContext, info: GraphQLResolveInfo, typeName: string, coordinate: string, row: Row | undefined, agreement: Agreement, consent?: ConsentRecord): true | GraphQLError {
    const notice = row?.[NOTICE];
    if (typeof notice === 'string') {
      // The notice travels in the data (so any router that returns the data returns it): a record's
      // fields, its id aside, leave only in a selection that also asks for its notice.
      const noticeCoordinate = row![NOTICE_SELECTED] as string | undefined;
      if (!noticeCoordinate && info.fieldName !== 'id') return refuse(ctx, info, typeName, coordinate, row, 'NOTICE_NOT_SELECTED', [agreement.id]);
      ctx.policy!.notices.add(notice);
      // The log shows the notice went with the release.
      if (noticeCoordinate) ctx.disclosures!.record(releaseGrant(agreement, consent), noticeCoordinate, row, subjectFor(typeName));
    }
    ctx.disclosures!.record(releaseGrant(agreement, consent), coordinate, row, subjectFor(typeName));
    return true;
  }

  function refuse(ctx: PolicyContext, info: GraphQLResolveInfo, typeName: string, coordinate: string, row: Row | undefined, reason: DenialReason, ids: string[]) {
    ctx.disclosures!.record(grant('DENIED', { reason, agreementId: ids[0] }), coordinate, row, subjectFor(typeName));
    return forbidden(coordinate, reason, ctx.caller!, owner, ids, info);
  }

  const decidePublic: Decide = (_p, _a, ctx) => (ctx.caller ? true : unauthenticated());

  function decideOwnerOnly(typeName: string, coordinate: string): Decide {
    const own = decideOwn(typeName, coordinate);
    return (parent, args, ctx, info) => {
      if (!ctx.caller) return unauthenticated();
      if (ctx.caller.agency === owner) return own(parent, args, ctx, info);
      return refuse(ctx, info, typeName, coordinate, parent, 'OWNER_ONLY', []);
    };
  }

  function decideGranted(typeName: string, coordinate: string, granting: Agreement[]): Decide {
    const own = decideOwn(typeName, coordinate);
    return (parent, args, ctx, info) => {
      if (!ctx.caller) return unauthenticated();
      if (ctx.caller.agency === owner) return own(parent, args, ctx, info);
      const decision = callerDecision(ctx, coordinate, typeName, granting);
      if (decision.denial) return refuse(ctx, info, typeName, coordinate, parent, decision.denial.reason, decision.denial.agreements);
      if (!decision.perRecord) return release(ctx, info, typeName, coordinate, parent, decision.candidates[0]);
      const outcome = recordOutcome(decision.candidates, typeName, coordinate, parent, ctx);
      if (outcome instanceof Promise) return outcome.then((o) => settle(o, ctx, info, typeName, coordinate, parent), internalError);
      return settle(outcome, ctx, info, typeName, coordinate, parent);
    };
  }

  function settle(outcome: RecordOutcome, ctx: PolicyContext, info: GraphQLResolveInfo, typeName: string, coordinate: string, row: Row | undefined) {
    if (outcome.ok) return release(ctx, info, typeName, coordinate, row, outcome.agreement, outcome.consent);
    if (!RECORD_REASONS.has(outcome.reason)) return refuse(ctx, info, typeName, coordinate, row, outcome.reason, outcome.agreements);
    // The log keeps the precise reason; the caller is told only that this record's field is withheld.
    ctx.disclosures!.record(grant('DENIED', { reason: outcome.reason, agreementId: outcome.agreements[0] }), coordinate, row, subjectFor(typeName));
    return forbidden(coordinate, 'RECORD_WITHHELD', ctx.caller!, owner, [], info);
  }

  // ---- The owner's own staff: decided by the role policy, per role and purpose, deny by default.
  const NOT_PERMITTED: RoleCell = { kind: 'denied', reason: 'ROLE_NOT_PERMITTED', grants: [] };
  const readGrants = new Map<RoleGrant, Grant>();
  const readUnder = (g: RoleGrant) => {
    let found = readGrants.get(g);
    if (!found) readGrants.set(g, (found = grant('READ', { agreementId: g.id })));
    return found;
  };

  /** The first of `grants` whose staff scope includes the record, or null; waits only to read the caller's assignments once. */
  function assignedGrant(grants: RoleGrant[], typeName: string, row: Row | undefined, ctx: PolicyContext): RoleGrant | null | Promise<RoleGrant | null> {
    const state = ctx.policy!;
    const staff = (state.staff ??= new Map());
    for (let i = 0; i < grants.length; i++) {
      const g = grants[i];
      const scope = policy.staffScopes?.[g.records!];
      const key = scope?.keyOf[typeName]?.(row ?? {});
      if (!scope || !key) continue;
      let assigned = staff.get(g.records!);
      if (!assigned) {
        if (!ctx.db) continue;
        staff.set(g.records!, (assigned = scope.load(ctx.db, ctx.caller!.subject)));
        (assigned as Promise<Set<string>>).then((set) => staff.set(g.records!, set), () => undefined);
      }
      if (assigned instanceof Promise) return assigned.then(() => assignedGrant(grants.slice(i), typeName, row, ctx));
      if (assigned.has(key)) return g;
    }
    return null;
  }

  function decideOwn(typeName: string, coordinate: string): Decide {
    const cells = new Map<string, Map<string, RoleCell>>();
    for (const role of ROLES[owner]) cells.set(role, new Map(PURPOSES.map((p) => [p, roleCell(roles, coordinate, role, p)])));
    const sensitive = isSensitive(roles, coordinate);
    const isWrite = typeName === mutationType;
    const logged = sensitive || isWrite;
    const subject = subjectFor(typeName);
    const refuseOwn = (ctx: PolicyContext, info: GraphQLResolveInfo, row: Row | undefined, args: unknown, reason: DenialReason, ids: string[]) => {
      if (logged) ctx.disclosures!.record(grant('DENIED', { reason, agreementId: ids[0] }), coordinate, row, isWrite ? () => writeSubject(args) : subject);
      return forbidden(coordinate, reason, ctx.caller!, owner, ids, info);
    };
    const permit = (ctx: PolicyContext, info: GraphQLResolveInfo, row: Row | undefined, args: unknown, g: RoleGrant): true => {
      if (isWrite) (ctx.policy!.writes ??= []).push({ coordinate, grantId: g.id, responseKey: info.path.key as string, subject: writeSubject(args) });
      else if (sensitive) ctx.disclosures!.record(readUnder(g), coordinate, row, subject);
      return true;
    };
    return (parent, args, ctx, info) => {
      const caller = ctx.caller!;
      const cell = cells.get(caller.role)?.get(caller.purpose) ?? NOT_PERMITTED;
      if (cell.kind === 'granted') return permit(ctx, info, parent, args, cell.grant);
      if (cell.kind === 'denied') return refuseOwn(ctx, info, parent, args, cell.reason, cell.grants);
      const found = assignedGrant(cell.grants, typeName, parent, ctx);
      const settleOwn = (g: RoleGrant | null) =>
        g ? permit(ctx, info, parent, args, g) : refuseOwn(ctx, info, parent, args, 'RECORD_NOT_ASSIGNED', cell.grants.map((x) => x.id));
      return found instanceof Promise ? found.then(settleOwn, internalError) : settleOwn(found);
    };
  }

  const deciders: Record<string, Record<string, Decide>> = {};
  for (const coordinate of coordinatesOf(schema)) {
    const [typeName, fieldName] = coordinate.split('.');
    const granting = agreements.filter((a) => a.fields.includes(coordinate));
    const typeDeciders = (deciders[typeName] ??= {});
    if (isPublic(coordinate)) typeDeciders[fieldName] = decidePublic;
    else if (isOwnerOnly(coordinate) || granting.length === 0) typeDeciders[fieldName] = decideOwnerOnly(typeName, coordinate);
    else typeDeciders[fieldName] = decideGranted(typeName, coordinate, granting);
  }
  // The graphql-shield rule tree: one rule per field, each running that field's decision.
  const rules: IRules = Object.fromEntries(
    Object.entries(deciders).map(([typeName, fields]) => [
      typeName,
      Object.fromEntries(
        Object.entries(fields).map(([fieldName, decide]) => [
          fieldName,
          rule(`${typeName}.${fieldName}`, { cache: 'no_cache' })((parent, args, ctx, info) => decide(parent, args, ctx, info)),
        ]),
      ),
    ]),
  );

  // Records of scoped types are listed only where some agreement covers them for the caller.
  // Synchronous unless a consent has to be loaded first.
  function visibleRows(ctx: PolicyContext, typeName: string, rows: Row[]): boolean[] | Promise<boolean[]> {
    const covering = agreements.filter((a) => a.fields.some((f) => f.startsWith(`${typeName}.`)));
    const decision = callerDecision(ctx, `${typeName}.*`, typeName, covering);
    if (decision.denial) return rows.map(() => false);
    const state = ctx.policy!;
    if (decision.candidates.some((a) => a.consentRequired)) {
      const missing = new Set<string>();
      for (const row of rows) {
        const personId = subjectOf(typeName, row).personId;
        if (personId && !state.knownConsents.has(personId)) missing.add(personId);
      }
      if (missing.size) {
        // Every list waits for the same consent batch, so all released records resolve together
        // and the loaders under them batch across the whole response.
        return Promise.all(
          [...missing].map((personId) => state.consents.load(personId).then((consents) => void state.knownConsents.set(personId, consents))),
        ).then(() => visibleRows(ctx, typeName, rows));
      }
    }
    const outcomes = rows.map((row) => recordOutcome(decision.candidates, typeName, `${typeName}.*`, row, ctx));
    if (outcomes.some((o) => o instanceof Promise)) return Promise.all(outcomes).then((all) => all.map((o) => o.ok));
    return (outcomes as RecordOutcome[]).map((o) => o.ok);
  }

  /** Tags each record with what it is about and hangs from; filters scoped records. */
  function settleRecords(result: unknown, target: string, filter: boolean, parent: Row | undefined, ctx: PolicyContext, info: GraphQLResolveInfo): unknown {
    if (result === null || result === undefined || result instanceof Error) return result;
    if (!ctx.caller) return result;
    // The owner's own records are never filtered here; they are tagged only where a sensitive
    // field may be read of them (the access log says whom the record is about).
    const own = ctx.caller.agency === owner;
    if (own && !ownerTagged.has(target)) return result;
    const inherited = subjectOf(info.parentType.name, parent);
    const parentNotice = parent?.[NOTICE];
    let selected: string | null | undefined;
    // Ancestors serve the agreements' record scopes only, which never apply to the owner's staff.
    const ancestors = own ? undefined : parent && typeof parent === 'object' ? { ...((parent[ANCESTORS] as object | undefined) ?? {}), [info.parentType.name]: parent } : {};
    const rows: Row[] = Array.isArray(result) ? result : [result as Row];
    for (const row of rows) {
      if (!row || typeof row !== 'object') continue;
      row[SUBJECT] = inherited;
      if (own) continue;
      row[ANCESTORS] = ancestors;
      const ownNotice = policy.noticeFor?.(target, row);
      if (ownNotice) {
        row[NOTICE] = ownNotice;
        selected ??= selectsNotice(ctx, info, target) ? `${target}.${NOTICE_FIELD}` : null;
        if (selected) row[NOTICE_SELECTED] = selected;
      } else if (parentNotice) {
        row[NOTICE] = parentNotice;
        if (parent![NOTICE_SELECTED]) row[NOTICE_SELECTED] = parent![NOTICE_SELECTED];
      }
    }
    if (!filter || own) return result;
    const pick = (keep: boolean[]) => (Array.isArray(result) ? rows.filter((_r, i) => keep[i]) : keep[0] ? result : null);
    const keep = visibleRows(ctx, target, rows);
    return keep instanceof Promise ? keep.then(pick) : pick(keep);
  }

  const ownerTagged = new Set(coordinatesOf(schema).filter((c) => isSensitive(roles, c)).map((c) => c.split('.')[0]));
  const records: IMiddlewareFieldMap = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name.startsWith('_')) continue;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || target.name.startsWith('_')) continue;
      const filter = scopedTypes.includes(target.name);
      const middleware = (resolve: (...a: unknown[]) => unknown, parent: Row | undefined, args: unknown, ctx: PolicyContext, info: GraphQLResolveInfo): any => {
        const result = resolve(parent, args, ctx, info);
        if (isPromiseLike(result)) return Promise.resolve(result).then((r) => settleRecords(r, target.name, filter, parent, ctx, info));
        return settleRecords(result, target.name, filter, parent, ctx, info);
      };
      ((records[type.name] ??= {}) as Record<string, IMiddleware>)[field.name] = middleware as IMiddleware;
    }
  }
  return { owner, rules, records, scopedTypes };
}

/** Whether the selection of the field being resolved asks for the notice field of its `typeName` records (@include/@skip and fragments as graphql-js applies them). */
function selectsNotice(ctx: PolicyContext, info: GraphQLResolveInfo, typeName: string): boolean {
  const memo = (ctx.policy!.noticeSelected ??= new WeakMap());
  let selected = memo.get(info.fieldNodes);
  if (selected === undefined) {
    const type = info.schema.getType(typeName) as GraphQLObjectType;
    selected = false;
    for (const nodes of collectSubfields(info.schema, info.fragments, info.variableValues, type, info.fieldNodes).values()) {
      if (nodes[0].name.value === NOTICE_FIELD) selected = true;
    }
    memo.set(info.fieldNodes, selected);
  }
  return selected;
}

/** What graphql-js waits for: any thenable, not only a native Promise. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The federation entities of a subgraph schema (a case, a person, a mandate): records with an identity of their own. */
function entitiesOf(schema: GraphQLSchema): Set<string> {
  const entity = schema.getType('_Entity');
  return new Set(isUnionType(entity) ? entity.getTypes().map((t) => t.name) : []);
}

/**
 * The records that are part of a `scopeType` record: the object types reachable from it along
 * fields another agency may be granted (`traversable`), other than entities (a case or person has
 * an identity of its own, reachable through `_entities`) and the root types. A scope on
 * `scopeType` covers them too, however they are reached.
 */
export function recordsBeneath(schema: GraphQLSchema, scopeType: string, traversable: (coordinate: string) => boolean = () => true): Set<string> {
  const entities = entitiesOf(schema);
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((t) => t!.name));
  const seen = new Set<string>();
  const queue = [scopeType];
  while (queue.length) {
    const type = schema.getType(queue.pop()!);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!traversable(`${type.name}.${field.name}`)) continue;
      const target = getNamedType(field.type);
      // A union or interface stands for each type it can be.
      const possible = isAbstractType(target) ? schema.getPossibleTypes(target) : isObjectType(target) ? [target] : [];
      for (const part of possible) {
        if (part.name === scopeType || entities.has(part.name) || roots.has(part.name) || seen.has(part.name)) continue;
        seen.add(part.name);
        queue.push(part.name);
      }
    }
  }
  return seen;
}

function internalError(error: unknown): GraphQLError {
  return new GraphQLError('Internal error while checking access', {
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
    originalError: error instanceof Error ? error : undefined,
  });
}

/**
 * graphql-shield's options for the tree, whichever executor runs it: deny what the tree doesn't
 * name, let resolver errors through as errors (a database outage is not a refusal), no debug.
 */
export const SHIELD_OPTIONS = {
  fallbackRule: deny,
  allowExternalErrors: true,
  debug: false,
  fallbackError: (_error: unknown, _parent: unknown, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo) =>
    new GraphQLError(`${info.parentType.name}.${info.fieldName} withheld: the field is not classified by any policy.`, {
      path: responsePathAsArray(info.path),
      extensions: { code: 'FORBIDDEN', coordinate: `${info.parentType.name}.${info.fieldName}`, reason: 'UNCLASSIFIED' },
    }),
};
