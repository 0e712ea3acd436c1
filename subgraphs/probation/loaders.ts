import { DataSource } from 'typeorm';
import { RequestBatches, listLoader, rowLoader } from '../../lib/loaders';
import {
  CheckInEntity,
  ComplianceReportEntity,
  DrugTestEntity,
  RiskAssessmentEntity,
  SupervisionEntity,
  ViolationReportEntity,
} from './entities';

export function createProbationLoaders(db: DataSource, batches: RequestBatches) {
  return {
    supervisionById: rowLoader(batches, db, SupervisionEntity),
    violationReportById: rowLoader(batches, db, ViolationReportEntity),
    supervisionsByCase: listLoader(batches, db, SupervisionEntity, 'caseId', { orderBy: ['startDate', 'id'] }),
    checkInsBySupervision: listLoader(batches, db, CheckInEntity, 'supervisionId', { orderBy: ['checkInDate', 'id'] }),
    drugTestsBySupervision: listLoader(batches, db, DrugTestEntity, 'supervisionId', { orderBy: ['collectedDate', 'id'] }),
    assessmentsBySupervision: listLoader(batches, db, RiskAssessmentEntity, 'supervisionId', {
      orderBy: ['assessedDate', 'id'],
    }),
    complianceReportsBySupervision: listLoader(batches, db, ComplianceReportEntity, 'supervisionId', {
      orderBy: ['reportDate', 'id'],
    }),
    violationReportsBySupervision: listLoader(batches, db, ViolationReportEntity, 'supervisionId', {
      orderBy: ['reportDate', 'id'],
    }),
  };
}

export type ProbationLoaders = ReturnType<typeof createProbationLoaders>;
