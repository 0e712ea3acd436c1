/**
 * The outcomes service's own tables: snapshots (when, under which agreements), each snapshot's
 * de-identified linked case records, and the published cells of every table the API answers.
 */
import { EntitySchema } from 'typeorm';
import { integer, text, textArray, timestamp } from '../../lib/entity';
import type { Cell } from './metrics';

export interface OutcomeSnapshot {
  id: number;
  takenAt: Date;
  /** The policy date the windows were judged on (YYYY-MM-DD). */
  asOfDate: string;
  agreements: string[];
  cases: number;
  current: boolean;
}

export const OutcomeSnapshotEntity = new EntitySchema<OutcomeSnapshot>({
  name: 'OutcomeSnapshot',
  tableName: 'outcome_snapshot',
  columns: {
    id: { type: 'integer', primary: true },
    takenAt: timestamp('taken_at'),
    asOfDate: { type: 'date', name: 'as_of_date' },
    agreements: textArray('agreements'),
    cases: integer('cases'),
    current: { type: 'boolean', name: 'current' },
  },
});

export interface OutcomeRecordRow {
  snapshotId: number;
  caseKey: string;
  record: unknown;
}

export const OutcomeRecordEntity = new EntitySchema<OutcomeRecordRow>({
  name: 'OutcomeRecord',
  tableName: 'outcome_record',
  columns: {
    snapshotId: { type: 'integer', name: 'snapshot_id', primary: true },
    caseKey: { type: 'text', name: 'case_key', primary: true },
    record: { type: 'jsonb', name: 'record' },
  },
});

/** A published cell (metrics.ts) as stored: which snapshot, metric and grouping it belongs to. */
export interface OutcomeCellRow extends Omit<Cell, 'key' | 'suppressed'> {
  snapshotId: number;
  metric: string;
  grouping: string;
  seq: number;
  key: Record<string, string>;
  suppressed: string | null;
}

export const OutcomeCellEntity = new EntitySchema<OutcomeCellRow>({
  name: 'OutcomeCell',
  tableName: 'outcome_cell',
  columns: {
    snapshotId: { type: 'integer', name: 'snapshot_id', primary: true },
    metric: { type: 'text', name: 'metric', primary: true },
    grouping: { type: 'text', name: 'grouping', primary: true },
    seq: { type: 'integer', name: 'seq', primary: true },
    key: { type: 'jsonb', name: 'key' },
    count: { type: 'integer', name: 'count', nullable: true },
    numerator: { type: 'double precision', name: 'numerator', nullable: true },
    denominator: { type: 'double precision', name: 'denominator', nullable: true },
    rate: { type: 'double precision', name: 'rate', nullable: true },
    median: { type: 'double precision', name: 'median', nullable: true },
    q1: { type: 'double precision', name: 'q1', nullable: true },
    q3: { type: 'double precision', name: 'q3', nullable: true },
    suppressed: text('suppressed', true),
  },
});

export const outcomesEntities = [OutcomeSnapshotEntity, OutcomeRecordEntity, OutcomeCellEntity];
