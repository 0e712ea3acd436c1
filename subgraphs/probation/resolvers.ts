import { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { EntityManager } from 'typeorm';
import { SubgraphContext } from '../../lib/subgraph';
import { InputCheck, requireExisting } from '../../lib/validation';
import { byId, inTransaction, insertRow } from '../../lib/writes';
import {
  CheckInEntity,
  ComplianceReportEntity,
  DrugTestEntity,
  RiskAssessmentEntity,
  Supervision,
  SupervisionEntity,
  ViolationReport,
  ViolationReportEntity,
} from './entities';
import { ProbationLoaders } from './loaders';
import { accessResolvers, accessesOf, disclosureResolvers, disclosuresOf } from '../../lib/policy/resolvers';
import { RISK_INSTRUMENTS, riskLevel } from './risk';

type Ctx = SubgraphContext<ProbationLoaders>;

/** The supervision named by `input.supervisionId`, checked to cover `date`. */
async function findSupervision(
  em: EntityManager,
  check: InputCheck,
  supervisionId: string,
  dateField: string,
  date: string,
): Promise<Supervision | null> {
  const supervision = await requireExisting(
    check,
    'supervisionId',
    check.id('supervisionId', supervisionId),
    'supervision',
    byId(em, SupervisionEntity),
  );
  check.notInFuture(dateField, date);
  check.notBefore(dateField, date, 'startDate of the supervision', supervision?.startDate);
  return supervision;
}

export const probationResolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    supervision: (_: unknown, { id }: { id: string }, ctx: Ctx) => {
      const check = new InputCheck('');
      check.id('id', id);
      check.done();
      return ctx.loaders.supervisionById.load(id);
    },
  },
  Mutation: {
    startSupervision: (
      _: unknown,
      {
        input,
      }: {
        input: {
          personId: string;
          caseId: string;
          officerName: string;
          level: string;
          conditions: string[];
          startDate: string;
          endDate: string;
        };
      },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        check.id('personId', input.personId);
        check.id('caseId', input.caseId);
        const officerName = check.text('officerName', input.officerName, { max: 200 });
        if (input.conditions.length === 0) check.fail('conditions', 'must list at least one condition');
        const conditions = input.conditions.map((c, i) => check.text(`conditions[${i}]`, c, { max: 500 }) ?? '');
        check.notBefore('endDate', input.endDate, 'startDate', input.startDate);
        check.done();
        return insertRow(em, SupervisionEntity, {
          personId: input.personId,
          caseId: input.caseId,
          officerName: officerName!,
          level: input.level,
          conditions,
          startDate: input.startDate,
          endDate: input.endDate,
          status: 'ACTIVE',
        });
      }),
    recordCheckIn: (
      _: unknown,
      {
        input,
      }: { input: { supervisionId: string; checkInDate: string; method: string; outcome: string; notes?: string | null } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const supervision = await findSupervision(em, check, input.supervisionId, 'checkInDate', input.checkInDate);
        const notes = check.text('notes', input.notes, { required: false, max: 2000 });
        check.done();
        return insertRow(em, CheckInEntity, {
          supervisionId: supervision!.id,
          checkInDate: input.checkInDate,
          method: input.method,
          outcome: input.outcome,
          notes,
        });
      }),
    recordDrugTest: (
      _: unknown,
      {
        input,
      }: {
        input: {
          supervisionId: string;
          collectedDate: string;
          testType: string;
          result: string;
          substancesDetected?: string[] | null;
        };
      },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const supervision = await findSupervision(em, check, input.supervisionId, 'collectedDate', input.collectedDate);
        const substances = (input.substancesDetected ?? []).map(
          (s, i) => check.text(`substancesDetected[${i}]`, s, { max: 100 }) ?? '',
        );
        if (input.result === 'POSITIVE' && substances.length === 0) {
          check.fail('substancesDetected', 'must name what was found when the result is POSITIVE');
        }
        if (input.result !== 'POSITIVE' && substances.length > 0) {
          check.fail('substancesDetected', `must be empty when the result is ${input.result}`);
        }
        check.done();
        return insertRow(em, DrugTestEntity, {
          supervisionId: supervision!.id,
          collectedDate: input.collectedDate,
          testType: input.testType,
          result: input.result,
          substancesDetected: substances,
        });
      }),
    recordRiskAssessment: (
      _: unknown,
      {
        input,
      }: { input: { supervisionId: string; instrument: string; score: number; assessedDate: string; assessorName: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const supervision = await findSupervision(em, check, input.supervisionId, 'assessedDate', input.assessedDate);
        check.integer('score', input.score, { min: 0, max: RISK_INSTRUMENTS[input.instrument].maxScore, required: true });
        const assessorName = check.text('assessorName', input.assessorName, { max: 200 });
        check.done();
        return insertRow(em, RiskAssessmentEntity, {
          supervisionId: supervision!.id,
          instrument: input.instrument,
          score: input.score,
          riskLevel: riskLevel(input.instrument, input.score),
          assessedDate: input.assessedDate,
          assessorName: assessorName!,
        });
      }),
    fileComplianceReport: (
      _: unknown,
      { input }: { input: { supervisionId: string; reportDate: string; compliance: string; summary: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const supervision = await findSupervision(em, check, input.supervisionId, 'reportDate', input.reportDate);
        const summary = check.text('summary', input.summary, { max: 4000 });
        check.done();
        return insertRow(em, ComplianceReportEntity, {
          supervisionId: supervision!.id,
          reportDate: input.reportDate,
          compliance: input.compliance,
          summary: summary!,
        });
      }),
    fileViolationReport: (
      _: unknown,
      { input }: { input: { supervisionId: string; reportDate: string; violationType: string; description: string } },
      ctx: Ctx,
    ) =>
      inTransaction(ctx, async (em, check) => {
        const supervision = await findSupervision(em, check, input.supervisionId, 'reportDate', input.reportDate);
        const description = check.text('description', input.description, { max: 4000 });
        check.done();
        return insertRow(em, ViolationReportEntity, {
          supervisionId: supervision!.id,
          caseId: supervision!.caseId,
          reportDate: input.reportDate,
          violationType: input.violationType,
          description: description!,
          status: 'FILED',
        });
      }),
  },
  Case: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    supervisions: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.supervisionsByCase.load(c.id),
  },
  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    probationDisclosures: disclosuresOf,
    probationAccesses: accessesOf,
  },
  Disclosure: disclosureResolvers,
  Access: accessResolvers,
  Supervision: {
    person: (s: Supervision) => ({ id: s.personId }),
    case: (s: Supervision) => ({ id: s.caseId }),
    checkIns: (s: Supervision, _: unknown, ctx: Ctx) => ctx.loaders.checkInsBySupervision.load(s.id),
    drugTests: (s: Supervision, _: unknown, ctx: Ctx) => ctx.loaders.drugTestsBySupervision.load(s.id),
    riskAssessments: (s: Supervision, _: unknown, ctx: Ctx) => ctx.loaders.assessmentsBySupervision.load(s.id),
    currentRiskLevel: async (s: Supervision, _: unknown, ctx: Ctx) => {
      const assessments = await ctx.loaders.assessmentsBySupervision.load(s.id);
      return assessments.length ? assessments[assessments.length - 1].riskLevel : null;
    },
    complianceReports: (s: Supervision, _: unknown, ctx: Ctx) => ctx.loaders.complianceReportsBySupervision.load(s.id),
    violationReports: (s: Supervision, _: unknown, ctx: Ctx) => ctx.loaders.violationReportsBySupervision.load(s.id),
  },
  ViolationReport: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.loaders.violationReportById.load(ref.id),
    supervision: (r: ViolationReport, _: unknown, ctx: Ctx) => ctx.loaders.supervisionById.load(r.supervisionId),
    case: (r: ViolationReport) => ({ id: r.caseId }),
  },
};
