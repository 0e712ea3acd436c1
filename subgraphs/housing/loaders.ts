import { DataSource } from 'typeorm';
import { listLoader, rowLoader } from '../../lib/loaders';
import { HousingApplicationEntity, ShelterEntity, ShelterStayEntity } from './entities';

export function createHousingLoaders(db: DataSource) {
  return {
    shelterById: rowLoader(db, ShelterEntity),
    stayById: rowLoader(db, ShelterStayEntity),
    staysByCase: listLoader(db, ShelterStayEntity, 'caseId', { orderBy: ['admittedDate', 'id'] }),
    staysByPerson: listLoader(db, ShelterStayEntity, 'personId', { orderBy: ['admittedDate', 'id'] }),
    applicationsByCase: listLoader(db, HousingApplicationEntity, 'caseId', { orderBy: ['appliedDate', 'id'] }),
    applicationsByPerson: listLoader(db, HousingApplicationEntity, 'personId', { orderBy: ['appliedDate', 'id'] }),
  };
}

export type HousingLoaders = ReturnType<typeof createHousingLoaders>;
