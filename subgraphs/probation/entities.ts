/** The probation department's own records. */
import { EntitySchema } from 'typeorm';
import { createdAt, date, integer, primaryId, text, textArray, uuid } from '../../lib/entity';

export interface Supervision {
  id: string;
  personId: string;
  caseId: string;
  officerName: string;
  level: string;
  conditions: string[];
  startDate: string;
  endDate: string;
  status: string;
  createdAt?: Date;
}

export interface CheckIn {
  id: string;
  supervisionId: string;
  checkInDate: string;
  method: string;
  outcome: string;
  notes: string | null;
}

export interface DrugTest {
  id: string;
  supervisionId: string;
  collectedDate: string;
  testType: string;
  result: string;
  substancesDetected: string[];
}

export interface RiskAssessment {
  id: string;
  supervisionId: string;
  instrument: string;
  score: number;
  riskLevel: string;
  assessedDate: string;
  assessorName: string;
}

export interface ComplianceReport {
  id: string;
  supervisionId: string;
  reportDate: string;
  compliance: string;
  summary: string;
}

export interface ViolationReport {
  id: string;
  supervisionId: string;
  caseId: string;
  reportDate: string;
  violationType: string;
  description: string;
  status: string;
}

export const SupervisionEntity = new EntitySchema<Supervision>({
  name: 'Supervision',
  tableName: 'supervision',
  columns: {
    id: primaryId(),
    personId: uuid('person_id'),
    caseId: uuid('case_id'),
    officerName: text('officer_name'),
    level: text('level'),
    conditions: textArray('conditions'),
    startDate: date('start_date'),
    endDate: date('end_date'),
    status: text('status'),
    createdAt: createdAt(),
  },
});

export const CheckInEntity = new EntitySchema<CheckIn>({
  name: 'CheckIn',
  tableName: 'check_in',
  columns: {
    id: primaryId(),
    supervisionId: uuid('supervision_id'),
    checkInDate: date('check_in_date'),
    method: text('method'),
    outcome: text('outcome'),
    notes: text('notes', true),
  },
});

export const DrugTestEntity = new EntitySchema<DrugTest>({
  name: 'DrugTest',
  tableName: 'drug_test',
  columns: {
    id: primaryId(),
    supervisionId: uuid('supervision_id'),
    collectedDate: date('collected_date'),
    testType: text('test_type'),
    result: text('result'),
    substancesDetected: textArray('substances_detected'),
  },
});

export const RiskAssessmentEntity = new EntitySchema<RiskAssessment>({
  name: 'RiskAssessment',
  tableName: 'risk_assessment',
  columns: {
    id: primaryId(),
    supervisionId: uuid('supervision_id'),
    instrument: text('instrument'),
    score: integer('score'),
    riskLevel: text('risk_level'),
    assessedDate: date('assessed_date'),
    assessorName: text('assessor_name'),
  },
});

export const ComplianceReportEntity = new EntitySchema<ComplianceReport>({
  name: 'ComplianceReport',
  tableName: 'compliance_report',
  columns: {
    id: primaryId(),
    supervisionId: uuid('supervision_id'),
    reportDate: date('report_date'),
    compliance: text('compliance'),
    summary: text('summary'),
  },
});

export const ViolationReportEntity = new EntitySchema<ViolationReport>({
  name: 'ViolationReport',
  tableName: 'violation_report',
  columns: {
    id: primaryId(),
    supervisionId: uuid('supervision_id'),
    caseId: uuid('case_id'),
    reportDate: date('report_date'),
    violationType: text('violation_type'),
    description: text('description'),
    status: text('status'),
  },
});

export const probationEntities = [
  SupervisionEntity,
  CheckInEntity,
  DrugTestEntity,
  RiskAssessmentEntity,
  ComplianceReportEntity,
  ViolationReportEntity,
];
