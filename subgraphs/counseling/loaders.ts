import { DataSource } from 'typeorm';
import { RequestBatches, listLoader, rowLoader } from '../../lib/loaders';
import { ClinicalNoteEntity, EnrollmentEntity, ProgressReportEntity, SessionEntity } from './entities';

export function createCounselingLoaders(db: DataSource, batches: RequestBatches) {
  return {
    enrollmentById: rowLoader(batches, db, EnrollmentEntity),
    enrollmentsByCase: listLoader(batches, db, EnrollmentEntity, 'caseId', { orderBy: ['enrolledDate', 'id'] }),
    enrollmentsByMandate: listLoader(batches, db, EnrollmentEntity, 'mandateId', { orderBy: ['enrolledDate', 'id'] }),
    sessionsByEnrollment: listLoader(batches, db, SessionEntity, 'enrollmentId', { orderBy: ['sessionDate', 'id'] }),
    reportsByEnrollment: listLoader(batches, db, ProgressReportEntity, 'enrollmentId', { orderBy: ['reportDate', 'id'] }),
    notesByEnrollment: listLoader(batches, db, ClinicalNoteEntity, 'enrollmentId', { orderBy: ['writtenAt', 'id'] }),
  };
}

export type CounselingLoaders = ReturnType<typeof createCounselingLoaders>;
