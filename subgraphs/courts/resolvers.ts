import { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { SubgraphContext } from '../../lib/subgraph';
import { InputCheck, badUserInput, isUuid } from '../../lib/validation';
import { CaseEntity, CaseParty, CourtCase, ProgramMandate, ProtectiveOrder, Sanction, Violation } from './entities';
import { CourtsLoaders } from './loaders';
import { courtsMutations } from './mutations';
import { accessResolvers, accessesOf, disclosureResolvers, disclosuresOf } from '../../lib/policy/resolvers';

type Ctx = SubgraphContext<CourtsLoaders>;

export const MAX_PAGE_SIZE = 500;

/**
 * A page cursor names the last case of the page by its id (which the caller has already), never
 * by its docket number: the cursor is public plumbing, and docket numbers identify people.
 */
export function encodeCursor(caseId: string): string {
  return Buffer.from(`case:${caseId}`, 'utf8').toString('base64url');
}

function decodeCursor(check: InputCheck, cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith('case:') ? decoded.slice(5) : '';
  if (!isUuid(id) || encodeCursor(id) !== cursor) {
    check.fail('after', 'is not a cursor returned by cases.pageInfo.endCursor');
    return null;
  }
  return id;
}

function lookupId(id: string): void {
  const check = new InputCheck('');
  check.id('id', id);
  check.done();
}

export const courtsResolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    case: (_: unknown, { id }: { id: string }, ctx: Ctx) => {
      lookupId(id);
      return ctx.loaders.caseById.load(id);
    },
    caseByDocketNumber: async (_: unknown, { docketNumber }: { docketNumber: string }, ctx: Ctx) => {
      const found = await ctx.batches.track(ctx.db.getRepository(CaseEntity).findOneBy({ docketNumber }));
      if (found) ctx.loaders.caseById.prime(found.id, found);
      return found;
    },
    cases: async (
      _: unknown,
      args: { first: number; after?: string | null; status?: string | null },
      ctx: Ctx,
    ) => {
      const check = new InputCheck('');
      check.integer('first', args.first, { min: 1, max: MAX_PAGE_SIZE, required: true });
      const after = decodeCursor(check, args.after);
      check.done();
      const query = ctx.db
        .getRepository(CaseEntity)
        .createQueryBuilder('c')
        .orderBy('c.docketNumber', 'ASC')
        .limit(args.first + 1);
      if (after !== null) {
        const last = await ctx.loaders.caseById.load(after);
        if (!last) throw badUserInput([{ field: 'after', message: 'names a case that does not exist' }]);
        query.andWhere('c.docketNumber > :after', { after: last.docketNumber });
      }
      if (args.status) query.andWhere('c.status = :status', { status: args.status });
      const rows = await ctx.batches.track(query.getMany());
      const nodes = rows.slice(0, args.first);
      for (const row of nodes) ctx.loaders.caseById.prime(row.id, row);
      const last = nodes[nodes.length - 1];
      return {
        nodes,
        pageInfo: {
          hasNextPage: rows.length > args.first,
          endCursor: last ? encodeCursor(last.id) : null,
        },
      };
    },
    person: (_: unknown, { id }: { id: string }, ctx: Ctx) => {
      lookupId(id);
      return ctx.loaders.personById.load(id);
    },
  },
  Mutation: courtsMutations,
  Case: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.caseById.load(ref.id),
    parties: (c: CourtCase, _: unknown, ctx: Ctx) => ctx.loaders.partiesByCase.load(c.id),
    hearings: (c: CourtCase, _: unknown, ctx: Ctx) => ctx.loaders.hearingsByCase.load(c.id),
    protectiveOrders: (c: CourtCase, _: unknown, ctx: Ctx) => ctx.loaders.ordersByCase.load(c.id),
    programMandates: (c: CourtCase, _: unknown, ctx: Ctx) => ctx.loaders.mandatesByCase.load(c.id),
    referrals: (c: CourtCase, _: unknown, ctx: Ctx) => ctx.loaders.referralsByCase.load(c.id),
    violations: (c: CourtCase, _: unknown, ctx: Ctx) => ctx.loaders.violationsByCase.load(c.id),
    sanctions: (c: CourtCase, _: unknown, ctx: Ctx) => ctx.loaders.sanctionsByCase.load(c.id),
  },
  Person: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.personById.load(ref.id),
    courtsDisclosures: disclosuresOf,
    courtsAccesses: accessesOf,
  },
  Disclosure: disclosureResolvers,
  Access: accessResolvers,
  CaseParty: {
    person: (p: CaseParty, _: unknown, ctx: Ctx) => ctx.loaders.personById.load(p.personId),
  },
  ProtectiveOrder: {
    protectedPerson: (o: ProtectiveOrder, _: unknown, ctx: Ctx) => ctx.loaders.personById.load(o.protectedPersonId),
    restrainedPerson: (o: ProtectiveOrder, _: unknown, ctx: Ctx) => ctx.loaders.personById.load(o.restrainedPersonId),
    conditions: (o: ProtectiveOrder) => o,
  },
  ProgramMandate: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.mandateById.load(ref.id),
    case: (m: ProgramMandate, _: unknown, ctx: Ctx) => ctx.loaders.caseById.load(m.caseId),
    person: (m: ProgramMandate, _: unknown, ctx: Ctx) => ctx.loaders.personById.load(m.personId),
  },
  Referral: {
    person: (r: { personId: string }, _: unknown, ctx: Ctx) => ctx.loaders.personById.load(r.personId),
  },
  Violation: {
    person: (v: Violation, _: unknown, ctx: Ctx) => ctx.loaders.personById.load(v.personId),
    probationReport: (v: Violation) => (v.probationReportId ? { id: v.probationReportId } : null),
    sanctions: (v: Violation, _: unknown, ctx: Ctx) => ctx.loaders.sanctionsByViolation.load(v.id),
  },
  Sanction: {
    violation: (s: Sanction, _: unknown, ctx: Ctx) => ctx.loaders.violationById.load(s.violationId),
  },
};
