import { DataSource } from 'typeorm';
import { listLoader, rowLoader } from '../../lib/loaders';
import {
  CheckInEntity,
  ComplianceReportEntity,
  DrugTestEntity,
  RiskAssessmentEntity,
  SupervisionEntity,
  ViolationReportEntity,
} from './entities';

export function createProbationLoaders(db: DataSource) {
  return {
    supervisionById: rowLoader(db, SupervisionEntity),
    violationReportById: rowLoader(db, ViolationReportEntity),
    supervisionsByCase: listLoader(db, SupervisionEntity, 'caseId', { orderBy: ['startDate', 'id'] }),
    checkInsBySupervision: listLoader(db, CheckInEntity, 'supervisionId', { orderBy: ['checkInDate', 'id'] }),
    drugTestsBySupervision: listLoader(db, DrugTestEntity, 'supervisionId', { orderBy: ['collectedDate', 'id'] }),
    assessmentsBySupervision: listLoader(db, RiskAssessmentEntity, 'supervisionId', {
      orderBy: ['assessedDate', 'id'],
    }),
    complianceReportsBySupervision: listLoader(db, ComplianceReportEntity, 'supervisionId', {
      orderBy: ['reportDate', 'id'],
    }),
    violationReportsBySupervision: listLoader(db, ViolationReportEntity, 'supervisionId', {
      orderBy: ['reportDate', 'id'],
    }),
  };
}

export type ProbationLoaders = ReturnType<typeof createProbationLoaders>;
