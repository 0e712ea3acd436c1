import { DataSource } from 'typeorm';
import { RequestBatches, listLoader, rowLoader } from '../../lib/loaders';
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

export function createCourtsLoaders(db: DataSource, batches: RequestBatches) {
  return {
    caseById: rowLoader(batches, db, CaseEntity),
    personById: rowLoader(batches, db, PersonEntity),
    mandateById: rowLoader(batches, db, ProgramMandateEntity),
    violationById: rowLoader(batches, db, ViolationEntity),
    partiesByCase: listLoader(batches, db, CasePartyEntity, 'caseId', { orderBy: ['role', 'id'] }),
    hearingsByCase: listLoader(batches, db, HearingEntity, 'caseId', { orderBy: ['scheduledAt', 'id'] }),
    ordersByCase: listLoader(batches, db, ProtectiveOrderEntity, 'caseId', { orderBy: ['issuedDate', 'id'] }),
    mandatesByCase: listLoader(batches, db, ProgramMandateEntity, 'caseId', { orderBy: ['orderedDate', 'id'] }),
    referralsByCase: listLoader(batches, db, ReferralEntity, 'caseId', { orderBy: ['referredDate', 'id'] }),
    violationsByCase: listLoader(batches, db, ViolationEntity, 'caseId', { orderBy: ['occurredDate', 'id'] }),
    sanctionsByCase: listLoader(batches, db, SanctionEntity, 'caseId', { orderBy: ['imposedDate', 'id'] }),
    sanctionsByViolation: listLoader(batches, db, SanctionEntity, 'violationId', { orderBy: ['imposedDate', 'id'] }),
  };
}

export type CourtsLoaders = ReturnType<typeof createCourtsLoaders>;
