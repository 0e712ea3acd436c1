import { DataSource } from 'typeorm';
import { RequestBatches, listLoader, rowLoader } from '../../lib/loaders';
import { HousingApplicationEntity, ShelterEntity, ShelterStayEntity } from './entities';

export function createHousingLoaders(db: DataSource, batches: RequestBatches) {
  return {
    shelterById: rowLoader(batches, db, ShelterEntity),
    stayById: rowLoader(batches, db, ShelterStayEntity),
    staysByCase: listLoader(batches, db, ShelterStayEntity, 'caseId', { orderBy: ['admittedDate', 'id'] }),
    staysByPerson: listLoader(batches, db, ShelterStayEntity, 'personId', { orderBy: ['admittedDate', 'id'] }),
    applicationsByCase: listLoader(batches, db, HousingApplicationEntity, 'caseId', { orderBy: ['appliedDate', 'id'] }),
    applicationsByPerson: listLoader(batches, db, HousingApplicationEntity, 'personId', { orderBy: ['appliedDate', 'id'] }),
  };
}

export type HousingLoaders = ReturnType<typeof createHousingLoaders>;
