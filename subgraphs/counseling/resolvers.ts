import { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { EntityManager, IsNull } from 'typeorm';
import { SubgraphContext } from '../../lib/subgraph';
import { InputCheck, requireExisting } from '../../lib/validation';
import { byId, describeUniqueConstraint, inTransaction, insertRow, updateIfStill } from '../../lib/writes';
import {
  ClinicalNoteEntity,
  EnrollmentEntity,
  ProgramEnrollment,
  ProgressReportEntity,
  SessionEntity,
} from './entities';
import { CounselingLoaders } from './loaders';
import { buildUnguardedSchema } from '../../lib/subgraph';
import { consentMutations, consentTypeResolvers, consentsOf, accessResolvers, accessesOf, disclosureResolvers, disclosuresOf, researchConsentOf } from '../../lib/policy/resolvers';
import { counseling } from '.';
import { redisclosureNoticeOf } from './policy';

const consents = consentMutations('counseling', '42 CFR Part 2 (2.31; 2.35 for criminal-justice referrals)', () => buildUnguardedSchema(counseling), { irrevocable: true });

type Ctx = SubgraphContext<CounselingLoaders>;

const MANDATE_ENROLLED = 'already has an enrollment for this person';
describeUniqueConstraint('program_enrollment_one_per_mandate', 'mandateId', MANDATE_ENROLLED);

/** The enrollment named by `input.enrollmentId`; when `open`, it must not be discharged. */
async function findEnrollment(
  em: EntityManager,
  check: InputCheck,
  enrollmentId: string,
  open: boolean,
): Promise<ProgramEnrollment | null> {
  const enrollment = await requireExisting(
    check,
    'enrollmentId',
    check.id('enrollmentId', enrollmentId),
    'program enrollment',
    byId(em, EnrollmentEntity),
  );
  if (open && enrollment?.dischargeDate) check.fail('enrollmentId', 'names an enrollment that has been discharged');
  return enrollment;
}

export const counselingResolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    programEnrollment: (_: unknown, { id }: { id: string }, ctx: Ctx) => {
      const check = new InputCheck('');
      check.id('id', id);
      check.done();
      return ctx.loaders.enrollmentById.load(id);
    },
  },
  Mutation: {
    recordTreatmentConsent: consents.record,
    revokeTreatmentConsent: consents.revoke,
    enrollInProgram: (
      _: unknown,
      {
        input,
      }: {
        input: {
          personId: string;
          caseId?: string | null;
          mandateId?: string | null;
          programType: string;
          providerName: string;
          referralSource: string;
          enrolledDate: string;
          requiredSessions?: number | null;
        };
      },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        check.id('personId', input.personId);
        check.id('caseId', input.caseId, false);
        check.id('mandateId', input.mandateId, false);
        if (input.referralSource === 'COURT_MANDATE' && !input.mandateId) {
          check.fail('mandateId', 'is required when referralSource is COURT_MANDATE');
        }
        if (input.mandateId && !input.caseId) check.fail('caseId', 'is required with a mandateId');
        const providerName = check.text('providerName', input.providerName, { max: 200 });
        check.notInFuture('enrolledDate', input.enrolledDate);
        check.integer('requiredSessions', input.requiredSessions, { min: 1, max: 104 });
        if (input.mandateId && check.ok && (await em.findOneBy(EnrollmentEntity, { mandateId: input.mandateId, personId: input.personId }))) {
          check.fail('mandateId', MANDATE_ENROLLED);
        }
        check.done();
        return insertRow(em, EnrollmentEntity, {
          personId: input.personId,
          caseId: input.caseId ?? null,
          mandateId: input.mandateId ?? null,
          programType: input.programType,
          providerName: providerName!,
          referralSource: input.referralSource,
          enrolledDate: input.enrolledDate,
          requiredSessions: input.requiredSessions ?? null,
          dischargeDate: null,
          dischargeOutcome: null,
        });
      }),
    recordSessionAttendance: (
      _: unknown,
      { input }: { input: { enrollmentId: string; sessionDate: string; format: string; attendance: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const enrollment = await findEnrollment(em, check, input.enrollmentId, true);
        check.notInFuture('sessionDate', input.sessionDate);
        check.notBefore('sessionDate', input.sessionDate, 'enrolledDate of the enrollment', enrollment?.enrolledDate);
        check.done();
        return insertRow(em, SessionEntity, {
          enrollmentId: enrollment!.id,
          sessionDate: input.sessionDate,
          format: input.format,
          attendance: input.attendance,
        });
      }),
    submitProgressReport: (
      _: unknown,
      {
        input,
      }: {
        input: { enrollmentId: string; reportDate: string; compliance: string; summary: string; recipientAgency: string };
      },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const enrollment = await findEnrollment(em, check, input.enrollmentId, false);
        check.notInFuture('reportDate', input.reportDate);
        check.notBefore('reportDate', input.reportDate, 'enrolledDate of the enrollment', enrollment?.enrolledDate);
        const summary = check.text('summary', input.summary, { max: 4000 });
        if (input.recipientAgency === 'COUNSELING') check.fail('recipientAgency', 'must be another agency');
        check.done();
        return insertRow(em, ProgressReportEntity, {
          enrollmentId: enrollment!.id,
          reportDate: input.reportDate,
          compliance: input.compliance,
          summary: summary!,
          recipientAgency: input.recipientAgency,
        });
      }),
    dischargeFromProgram: (
      _: unknown,
      { input }: { input: { enrollmentId: string; dischargeDate: string; outcome: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const enrollment = await findEnrollment(em, check, input.enrollmentId, true);
        check.notInFuture('dischargeDate', input.dischargeDate);
        check.notBefore('dischargeDate', input.dischargeDate, 'enrolledDate of the enrollment', enrollment?.enrolledDate);
        check.done();
        const changes = { dischargeDate: input.dischargeDate, dischargeOutcome: input.outcome };
        await updateIfStill(em, EnrollmentEntity, { id: enrollment!.id, dischargeDate: IsNull() }, changes, {
          field: 'enrollmentId',
          message: 'names an enrollment that has been discharged',
        });
        return { ...enrollment!, ...changes };
      }),
    addClinicalNote: (
      _: unknown,
      { input }: { input: { enrollmentId: string; author: string; body: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const enrollment = await findEnrollment(em, check, input.enrollmentId, false);
        const author = check.text('author', input.author, { max: 200 });
        const body = check.text('body', input.body, { max: 20_000 });
        check.done();
        return insertRow(em, ClinicalNoteEntity, {
          enrollmentId: enrollment!.id,
          writtenAt: new Date(),
          author: author!,
          body: body!,
        });
      }),
  },
  Case: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    programEnrollments: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.enrollmentsByCase.load(c.id),
  },
  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    counselingDisclosures: disclosuresOf,
    counselingAccesses: accessesOf,
    treatmentConsents: consentsOf,
    counselingResearchConsent: researchConsentOf('Person.counselingResearchConsent'),
  },
  TreatmentConsent: consentTypeResolvers,
  Disclosure: disclosureResolvers,
  Access: accessResolvers,
  ProgramMandate: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    enrollments: (m: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.enrollmentsByMandate.load(m.id),
  },
  ProgramEnrollment: {
    person: (e: ProgramEnrollment) => ({ id: e.personId }),
    case: (e: ProgramEnrollment) => (e.caseId ? { id: e.caseId } : null),
    mandate: (e: ProgramEnrollment) => (e.mandateId ? { id: e.mandateId } : null),
    status: (e: ProgramEnrollment) => (e.dischargeDate ? 'DISCHARGED' : 'ENROLLED'),
    sessionsAttended: async (e: ProgramEnrollment, _: unknown, ctx: Ctx) =>
      (await ctx.loaders.sessionsByEnrollment.load(e.id)).filter((s) => s.attendance === 'ATTENDED').length,
    sessions: (e: ProgramEnrollment, _: unknown, ctx: Ctx) => ctx.loaders.sessionsByEnrollment.load(e.id),
    progressReports: (e: ProgramEnrollment, _: unknown, ctx: Ctx) => ctx.loaders.reportsByEnrollment.load(e.id),
    clinicalNotes: (e: ProgramEnrollment, _: unknown, ctx: Ctx) => ctx.loaders.notesByEnrollment.load(e.id),
    redisclosureNotice: (e: ProgramEnrollment) => redisclosureNoticeOf(e) ?? null,
  },
};
