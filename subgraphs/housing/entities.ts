/** The housing agency's own records. */
import { EntitySchema } from 'typeorm';
import { createdAt, date, integer, primaryId, text, uuid } from '../../lib/entity';

export interface Shelter {
  id: string;
  name: string;
  address: string;
  city: string;
  capacity: number;
}

export interface ShelterStay {
  id: string;
  personId: string;
  caseId: string | null;
  shelterId: string;
  admittedDate: string;
  exitedDate: string | null;
  exitDestination: string | null;
  createdAt?: Date;
}

export interface HousingApplication {
  id: string;
  personId: string;
  caseId: string | null;
  program: string;
  appliedDate: string;
  status: string;
  decisionDate: string | null;
  monthlyAssistance: number | null;
  createdAt?: Date;
}

export const ShelterEntity = new EntitySchema<Shelter>({
  name: 'Shelter',
  tableName: 'shelter',
  columns: {
    id: primaryId(),
    name: text('name'),
    address: text('address'),
    city: text('city'),
    capacity: integer('capacity'),
  },
});

export const ShelterStayEntity = new EntitySchema<ShelterStay>({
  name: 'ShelterStay',
  tableName: 'shelter_stay',
  columns: {
    id: primaryId(),
    personId: uuid('person_id'),
    caseId: uuid('case_id', true),
    shelterId: uuid('shelter_id'),
    admittedDate: date('admitted_date'),
    exitedDate: date('exited_date', true),
    exitDestination: text('exit_destination', true),
    createdAt: createdAt(),
  },
  // Migration 1764200000001: one current stay per person.
  indices: [{ name: 'shelter_stay_one_open_per_person', columns: ['personId'], unique: true, where: 'exited_date IS NULL' }],
});

export const HousingApplicationEntity = new EntitySchema<HousingApplication>({
  name: 'HousingApplication',
  tableName: 'housing_application',
  columns: {
    id: primaryId(),
    personId: uuid('person_id'),
    caseId: uuid('case_id', true),
    program: text('program'),
    appliedDate: date('applied_date'),
    status: text('status'),
    decisionDate: date('decision_date', true),
    monthlyAssistance: integer('monthly_assistance', true),
    createdAt: createdAt(),
  },
});

/** A member of shelter staff (token subject) assigned to a shelter: the `assigned_shelter` scope. */
export interface ShelterStaffAssignment {
  id: string;
  staffSubject: string;
  shelterId: string;
  createdAt?: Date;
}

export const ShelterStaffAssignmentEntity = new EntitySchema<ShelterStaffAssignment>({
  name: 'ShelterStaffAssignment',
  tableName: 'shelter_staff_assignment',
  columns: {
    id: primaryId(),
    staffSubject: text('staff_subject'),
    shelterId: uuid('shelter_id'),
    createdAt: createdAt(),
  },
});

export const housingEntities = [ShelterEntity, ShelterStayEntity, HousingApplicationEntity, ShelterStaffAssignmentEntity];
