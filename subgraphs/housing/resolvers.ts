import { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { IsNull } from 'typeorm';
import { SubgraphContext } from '../../lib/subgraph';
import { InputCheck, requireExisting } from '../../lib/validation';
import { byId, describeUniqueConstraint, inTransaction, insertRow, updateIfStill } from '../../lib/writes';
import {
  HousingApplication,
  HousingApplicationEntity,
  ShelterEntity,
  ShelterStay,
  ShelterStayEntity,
} from './entities';
import { HousingLoaders } from './loaders';
import { buildUnguardedSchema } from '../../lib/subgraph';
import { consentMutations, consentTypeResolvers, consentsOf, accessResolvers, accessesOf, disclosureResolvers, disclosuresOf, researchConsentOf } from '../../lib/policy/resolvers';
import { housing } from '.';

const consents = consentMutations('housing', 'VAWA 34 U.S.C. 12291(b)(2); 28 CFR 90.4', () => buildUnguardedSchema(housing), { irrevocable: false });

type Ctx = SubgraphContext<HousingLoaders>;

const OPEN_STAY_EXISTS = 'already has a current shelter stay; exit it first';
describeUniqueConstraint('shelter_stay_one_open_per_person', 'personId', OPEN_STAY_EXISTS);
const STAY_ENDED = 'names a stay that has already ended';

/** A person's standing with housing, from their stays and applications. */
export function housingStatus(stays: ShelterStay[], applications: HousingApplication[]): string {
  if (stays.some((s) => s.exitedDate === null)) return 'IN_SHELTER';
  if (applications.some((a) => a.status === 'HOUSED' || a.status === 'APPROVED')) return 'HOUSED_WITH_ASSISTANCE';
  if (applications.some((a) => a.status === 'SUBMITTED')) return 'APPLICATION_PENDING';
  if (stays.length > 0) return 'EXITED_SHELTER';
  return 'NOT_KNOWN';
}

const caseRef = (row: { caseId: string | null }) => (row.caseId ? { id: row.caseId } : null);
const personRef = (row: { personId: string }) => ({ id: row.personId });

export const housingResolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    shelterStay: (_: unknown, { id }: { id: string }, ctx: Ctx) => {
      const check = new InputCheck('');
      check.id('id', id);
      check.done();
      return ctx.loaders.stayById.load(id);
    },
    shelters: (_: unknown, __: unknown, ctx: Ctx) =>
      ctx.batches.track(ctx.db.getRepository(ShelterEntity).find({ order: { name: 'ASC' } })),
  },
  Mutation: {
    recordHousingConsent: consents.record,
    revokeHousingConsent: consents.revoke,
    admitToShelter: (
      _: unknown,
      { input }: { input: { personId: string; caseId?: string | null; shelterId: string; admittedDate: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const personId = check.id('personId', input.personId);
        check.id('caseId', input.caseId, false);
        check.notInFuture('admittedDate', input.admittedDate);
        await requireExisting(check, 'shelterId', check.id('shelterId', input.shelterId), 'shelter', byId(em, ShelterEntity));
        if (personId && (await em.findOneBy(ShelterStayEntity, { personId, exitedDate: IsNull() }))) {
          check.fail('personId', OPEN_STAY_EXISTS);
        }
        check.done();
        return insertRow(em, ShelterStayEntity, {
          personId: input.personId,
          caseId: input.caseId ?? null,
          shelterId: input.shelterId,
          admittedDate: input.admittedDate,
          exitedDate: null,
          exitDestination: null,
        });
      }),
    exitShelter: (
      _: unknown,
      { input }: { input: { stayId: string; exitedDate: string; exitDestination: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const stay = await requireExisting(check, 'stayId', check.id('stayId', input.stayId), 'shelter stay', byId(em, ShelterStayEntity));
        if (stay?.exitedDate) check.fail('stayId', STAY_ENDED);
        check.notInFuture('exitedDate', input.exitedDate);
        check.notBefore('exitedDate', input.exitedDate, 'admittedDate of the stay', stay?.admittedDate);
        check.done();
        const changes = { exitedDate: input.exitedDate, exitDestination: input.exitDestination };
        await updateIfStill(em, ShelterStayEntity, { id: stay!.id, exitedDate: IsNull() }, changes, { field: 'stayId', message: STAY_ENDED });
        return { ...stay!, ...changes };
      }),
    submitHousingApplication: (
      _: unknown,
      { input }: { input: { personId: string; caseId?: string | null; program: string; appliedDate: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        check.id('personId', input.personId);
        check.id('caseId', input.caseId, false);
        check.notInFuture('appliedDate', input.appliedDate);
        check.done();
        return insertRow(em, HousingApplicationEntity, {
          personId: input.personId,
          caseId: input.caseId ?? null,
          program: input.program,
          appliedDate: input.appliedDate,
          status: 'SUBMITTED',
          decisionDate: null,
          monthlyAssistance: null,
        });
      }),
    decideHousingApplication: (
      _: unknown,
      {
        input,
      }: { input: { applicationId: string; status: string; decisionDate: string; monthlyAssistance?: number | null } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const application = await requireExisting(
          check,
          'applicationId',
          check.id('applicationId', input.applicationId),
          'housing application',
          byId(em, HousingApplicationEntity),
        );
        if (input.status === 'SUBMITTED') check.fail('status', 'must be a decision, not SUBMITTED');
        check.notInFuture('decisionDate', input.decisionDate);
        check.notBefore('decisionDate', input.decisionDate, 'appliedDate of the application', application?.appliedDate);
        check.integer('monthlyAssistance', input.monthlyAssistance, { min: 0, max: 20_000 });
        if (input.monthlyAssistance != null && input.status === 'DENIED') {
          check.fail('monthlyAssistance', 'must be empty when the application is DENIED');
        }
        check.done();
        const changes = {
          status: input.status,
          decisionDate: input.decisionDate,
          monthlyAssistance: input.monthlyAssistance ?? null,
        };
        await em.update(HousingApplicationEntity, { id: application!.id }, changes);
        return { ...application!, ...changes };
      }),
  },
  Case: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    shelterStays: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.staysByCase.load(c.id),
    housingApplications: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.applicationsByCase.load(c.id),
  },
  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    housingStatus: async (p: { id: string }, _: unknown, ctx: Ctx) => {
      const [stays, applications] = await Promise.all([
        ctx.loaders.staysByPerson.load(p.id),
        ctx.loaders.applicationsByPerson.load(p.id),
      ]);
      return housingStatus(stays, applications);
    },
    housingDisclosures: disclosuresOf,
    housingAccesses: accessesOf,
    housingConsents: consentsOf,
    housingResearchConsent: researchConsentOf('Person.housingResearchConsent'),
  },
  HousingConsent: consentTypeResolvers,
  Disclosure: disclosureResolvers,
  Access: accessResolvers,
  ShelterStay: {
    person: personRef,
    case: caseRef,
    shelter: (s: ShelterStay, _: unknown, ctx: Ctx) => ctx.loaders.shelterById.load(s.shelterId),
    status: (s: ShelterStay) => (s.exitedDate ? 'EXITED' : 'CURRENT'),
  },
  HousingApplication: {
    person: personRef,
    case: caseRef,
  },
};
