import { DataSource } from 'typeorm';
import { listLoader, rowLoader } from '../../lib/loaders';
import { ClinicalNoteEntity, EnrollmentEntity, ProgressReportEntity, SessionEntity } from './entities';

export function createCounselingLoaders(db: DataSource) {
  return {
    enrollmentById: rowLoader(db, EnrollmentEntity),
    enrollmentsByCase: listLoader(db, EnrollmentEntity, 'caseId', { orderBy: ['enrolledDate', 'id'] }),
    enrollmentsByMandate: listLoader(db, EnrollmentEntity, 'mandateId', { orderBy: ['enrolledDate', 'id'] }),
    sessionsByEnrollment: listLoader(db, SessionEntity, 'enrollmentId', { orderBy: ['sessionDate', 'id'] }),
    reportsByEnrollment: listLoader(db, ProgressReportEntity, 'enrollmentId', { orderBy: ['reportDate', 'id'] }),
    notesByEnrollment: listLoader(db, ClinicalNoteEntity, 'enrollmentId', { orderBy: ['writtenAt', 'id'] }),
  };
}

export type CounselingLoaders = ReturnType<typeof createCounselingLoaders>;
