import { DataSource } from 'typeorm';
import { listLoader, rowLoader } from '../../lib/loaders';
import {
  CaseEntity,
  CasePartyEntity,
  HearingEntity,
  PersonEntity,
  ProgramMandateEntity,
  ProtectiveOrderEntity,
  ReferralEntity,
  SanctionEntity,
  ViolationEntity,
} from './entities';

export function createCourtsLoaders(db: DataSource) {
  return {
    caseById: rowLoader(db, CaseEntity),
    personById: rowLoader(db, PersonEntity),
    mandateById: rowLoader(db, ProgramMandateEntity),
    violationById: rowLoader(db, ViolationEntity),
    partiesByCase: listLoader(db, CasePartyEntity, 'caseId', { orderBy: ['role', 'id'] }),
    hearingsByCase: listLoader(db, HearingEntity, 'caseId', { orderBy: ['scheduledAt', 'id'] }),
    ordersByCase: listLoader(db, ProtectiveOrderEntity, 'caseId', { orderBy: ['issuedDate', 'id'] }),
    mandatesByCase: listLoader(db, ProgramMandateEntity, 'caseId', { orderBy: ['orderedDate', 'id'] }),
    referralsByCase: listLoader(db, ReferralEntity, 'caseId', { orderBy: ['referredDate', 'id'] }),
    violationsByCase: listLoader(db, ViolationEntity, 'caseId', { orderBy: ['occurredDate', 'id'] }),
    sanctionsByCase: listLoader(db, SanctionEntity, 'caseId', { orderBy: ['imposedDate', 'id'] }),
    sanctionsByViolation: listLoader(db, SanctionEntity, 'violationId', { orderBy: ['imposedDate', 'id'] }),
  };
}

export type CourtsLoaders = ReturnType<typeof createCourtsLoaders>;
